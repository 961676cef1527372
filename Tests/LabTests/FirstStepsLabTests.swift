import Foundation
import Testing
import TestSupport

/// README.md's "First steps", in order, on a lab of four hosts: the part of the guide
/// ReadmeGuideTests can only dry-run. The lab's inventory names its groups seg1 and seg2
/// where the README's says rack1, and the self-acting cancels pass `--delay 0` so the
/// test does not sit out the 30 s notice.
@Suite struct FirstStepsLabTests {
    @Test func theFirstStepsRunInOrderOnALab() throws {
        try withLab { lab in
            func pmctl(_ words: String...) throws -> ProgramRun {
                let run = try lab.pmctl(["--json"] + words)
                #expect(run.status == 0, "pmctl \(words.joined(separator: " ")): \(run.stderr)\(run.stdout)")
                return run
            }
            let status = try pmctl("status", "@seg1")
            #expect(status.results.map(\.host).sorted() == ["lab01", "lab03"])
            #expect(status.results.allSatisfy { $0.outcome == "ok" })

            let check = try pmctl("check", "lab01")
            #expect(check.result("lab01")?.object["records"] != nil, "\(check.stdout)")
            _ = try pmctl("learn", "@seg1")

            // The stack only: lab01's guests (lab03 among them, through its own agent) go down, lab01 stays up.
            let stack = try pmctl("cancel", "lab01")
            #expect(stack.result("lab01")?.stepTriples.first == "vm lab03 shutdown")
            #expect(lab.power("lab01") == "on" && lab.power("lab03") == "off")
            try lab.press("lab03", "on")
            #expect(lab.wait(seconds: 10) { lab.acceptsSSH("lab03") })

            // Guests down, the NIC armed, then lab01 powers off, confirmed; the wake brings it back.
            let off = try pmctl("cancel", "lab01", "--self", "--wol", "--delay", "0")
            let steps = off.result("lab01")?.stepTriples ?? []
            #expect(steps.contains("wol eth0 armed") && steps.suffix(2) == ["host lab01 poweroff-accepted", "confirm lab01 down"], "\(steps)")
            #expect(lab.power("lab01") == "off" && lab.wol("lab01") == "g")
            let wake = try pmctl("wake", "lab01")
            #expect(wake.result("lab01")?.stepTriples == ["wake lab01 sent", "wake lab01 up"])
            #expect(lab.power("lab01") == "on")

            // A node set rebooted, each host confirmed by its new boot id.
            let boots = ["lab02", "lab04"].map(lab.bootID)
            let reboot = try pmctl("cancel", "lab[02,04]", "--method", "reboot", "--self", "--yes", "--delay", "0")
            for host in ["lab02", "lab04"] {
                #expect(reboot.result(host)?.stepTriples.last == "confirm \(host) up-new-boot", "\(reboot.stdout)")
            }
            #expect(["lab02", "lab04"].map(lab.bootID) != boots)

            // The journal has every run, and a retry of an all-ok run has nothing to do.
            let history = try lab.pmctl(["history"])
            #expect(history.status == 0)
            #expect(history.stdout.contains("pmctl --json cancel lab[02,04] --method reboot"), "\(history.stdout)")
            let runID = try #require(reboot.lines.last.flatMap { try? JSONValue.parse($0)["run"]?.text })
            let retry = try lab.pmctl(["retry", runID, "--failed"])
            #expect(retry.status == 0 && retry.stderr.contains("nothing to retry"), "\(retry.stderr)")
        }
    }
}
