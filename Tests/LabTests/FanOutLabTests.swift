import Foundation
import Testing
import TestSupport

/// The fan-out over many real sshd endpoints, some dead and some hanging: each host ends
/// on its own deadline, so the run takes about the longest deadline, not their sum.
@Suite struct FanOutLabTests {
    @Test func fiftyHostsWithDeadAndHangingOnesFinishInAboutOneDeadline() throws {
        try withLab(hosts: 50) { lab in
            let dead = ["lab07", "lab21", "lab33"]
            let hanging = ["lab05", "lab12", "lab26", "lab40", "lab49"]
            for host in dead { try lab.press(host, "off") }
            for host in hanging { try lab.makeAgentHang(host) }
            #expect(lab.wait(seconds: 10) { dead.allSatisfy { !lab.acceptsSSH($0) } })

            let started = Date()
            let run = try lab.pmctl(["--json", "--yes", "--connect-timeout", "3", "--timeout", "4", "status", "lab[01-50]"])
            let elapsed = Date().timeIntervalSince(started)
            #expect(run.status == 1)
            #expect(run.results.count == 50)
            let byOutcome = Dictionary(grouping: run.results, by: \.outcome).mapValues { $0.map(\.host).sorted() }
            #expect(byOutcome["unreachable"] == dead, "\(byOutcome)")
            #expect(byOutcome["timeout"] == hanging, "\(byOutcome)")
            #expect(byOutcome["ok"]?.count == 42)
            // Five hangs in a row would take 20 s; side by side, about 4 s plus start-up.
            #expect(elapsed < 14, "took \(elapsed) s")
            #expect(run.lines.last?.contains(#""ok":42,"failed":0,"unreachable":3,"auth":0,"hostkey":0,"timeout":5"#) == true)
        }
    }
}
