import Foundation
import PMController
import Testing
import TestSupport

/// pmctl killed with SIGKILL at a random point of a fan-out that really acts (issue 9):
/// `cancel --type xen --method reboot` on lab hosts, whose fake `xl` records every guest
/// reboot. After each kill the journal shows every host that finished, and every host
/// that got the request as finished or in doubt; `retry --failed` completes the rest and
/// leaves hosts in doubt alone; no guest is ever rebooted twice.
@Suite struct KillMidFanOutLabTests {
    static let hostCount = 24
    static let iterations = 20
    static let action = ["--json", "--yes", "--fanout", "6", "cancel", "--type", "xen", "--method", "reboot", "lab[01-24]"]

    /// `PMKILL_SEED=N` replays a run's kill points.
    static let seed: UInt64 = ProcessInfo.processInfo.environment["PMKILL_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...999_999)

    @Test func killedAtRandomPointsTheJournalKeepsEveryFinishedHostAndRetryNeverRebootsAGuestTwice() throws {
        print("KillMidFanOutLabTests seed \(Self.seed) (PMKILL_SEED=\(Self.seed) replays it)")
        var random = SeededRandom(seed: Self.seed)
        try withLab(hosts: Self.hostCount, prefix: "pmflt") { lab in
            // lab01 lists lab03 as its guest; here every host is only itself.
            let inventory = try lab.inventoryWithout(key: "vms")
            let hosts = (1...Self.hostCount).map(lab.name)

            // One whole run first: it must do everything once, and it says how long a run takes.
            let started = Date()
            let whole = try lab.pmctl(["--inventory", inventory, "--state", lab.run + "/state-whole"] + Self.action)
            let duration = Date().timeIntervalSince(started)
            #expect(whole.status == 0, "\(whole.stderr)")
            for host in hosts { #expect(reboots(lab, host) == [1, 1], "\(host): \(lab.commands(host))") }

            var tally = (noRun: 0, inDoubt: 0, retried: 0)
            for iteration in 1...Self.iterations {
                for host in hosts { try lab.clearCommands(host) }
                let state = lab.run + "/state-kill-\(iteration)"
                let killAt = Double.random(in: 0...(duration * 1.1), using: &random)
                let killed = try lab.pmctl(["--inventory", inventory, "--state", state] + Self.action, killAfter: killAt)
                // The agents of hosts in flight finish what they got before anyone looks.
                Thread.sleep(forTimeInterval: 0.5)
                let context = "iteration \(iteration), kill at \(String(format: "%.3f", killAt)) s, seed \(Self.seed)"
                let acted = hosts.filter { reboots(lab, $0) != [0, 0] }
                for host in hosts { #expect(reboots(lab, host).allSatisfy { $0 <= 1 }, "\(context): \(host): \(lab.commands(host))") }

                let reader = JournalReader(database: try JournalDatabase(stateDirectory: state))
                guard let run = try reader.runs(last: 1).first else {
                    // Killed before the run was journaled: then nothing may have been sent.
                    #expect(acted.isEmpty, "\(context): no run journaled, yet \(acted) acted")
                    tally.noRun += 1
                    continue
                }
                let (_, journaled) = try #require(try reader.run(run.id))
                let inDoubt = Set(try reader.hostsInDoubt(run.id))
                let outcome = Dictionary(uniqueKeysWithValues: journaled.map { ($0.host, $0.outcome.rawValue) })
                // Whatever pmctl printed before it died is in the journal, as printed.
                for line in killed.results { #expect(outcome[line.host] == line.outcome, "\(context): \(line.host) printed \(line.outcome)") }
                // Every host that got the request finished or is in doubt: none would be sent it again.
                for host in acted {
                    #expect(outcome[host] == "ok" || inDoubt.contains(host), "\(context): \(host) acted, journal says \(outcome[host] ?? "-")")
                }
                #expect(journaled.allSatisfy { $0.outcome == .ok || $0.outcome == .unfinished }, "\(context): \(journaled)")

                let before = Dictionary(uniqueKeysWithValues: hosts.map { ($0, reboots(lab, $0)) })
                let retry = try lab.pmctl(["--inventory", inventory, "--state", state, "--json", "--yes", "retry", run.id, "--failed"])
                let expectedTargets = Set(hosts.filter { outcome[$0] != "ok" && !inDoubt.contains($0) })
                if expectedTargets.isEmpty && inDoubt.isEmpty {
                    #expect(retry.status == 0 && retry.stderr.contains("nothing to retry"), "\(context): \(retry.stderr)")
                } else {
                    #expect(retry.status == (inDoubt.isEmpty ? 0 : 1), "\(context): \(retry.stderr)")
                    #expect(Set(retry.results.map(\.host)) == expectedTargets, "\(context): \(retry.stderr)")
                    #expect(retry.results.allSatisfy { $0.outcome == "ok" }, "\(context): \(retry.stdout)")
                }
                if !expectedTargets.isEmpty { tally.retried += 1 }
                if !inDoubt.isEmpty {
                    tally.inDoubt += 1
                    #expect(retry.stderr.contains("in doubt: \(NodeSet.summary(hosts.filter(inDoubt.contains)))"), "\(context): \(retry.stderr)")
                }
                for host in hosts {
                    if inDoubt.contains(host) {
                        // Not resent: whatever it did before the kill is all it did.
                        #expect(reboots(lab, host) == before[host], "\(context): \(host) in doubt was sent again")
                    } else {
                        #expect(reboots(lab, host) == [1, 1], "\(context): \(host): \(lab.commands(host))")
                    }
                }
            }
            print("KillMidFanOutLabTests: \(Self.iterations) kills within \(String(format: "%.2f", duration * 1.1)) s; "
                  + "\(tally.noRun) before the run was journaled, \(tally.retried) with hosts left to retry, \(tally.inDoubt) with hosts in doubt")
        }
    }

    /// How often each of the host's two Xen guests was rebooted, as its fake `xl` recorded.
    func reboots(_ lab: Lab, _ host: String) -> [Int] {
        let commands = lab.commands(host)
        return ["\(host)-xen1", "\(host)-xen2"].map { guest in commands.filter { $0 == "xl reboot \(guest)" }.count }
    }
}
