import Foundation
import Testing
import TestSupport

/// README.md's guide, run against the built binaries. Each command of a marked block has
/// an entry below: either it runs here for real (a temp state folder, the example
/// inventory, lab01 pointed at an sshd with the real agent on loopback) and ends with the
/// status the README implies, or it needs the lab (or a terminal, or a BMC), and then its
/// dry run must plan cleanly here while the named tests run it for real.
@Suite(.serialized) struct ReadmeGuideTests {
    enum Coverage {
        /// Runs here; exits `exit`, and stdout or stderr contains `says`.
        case here(exit: Int32, says: String)
        /// Runs for real in these tests (`Suite.test`); here only its dry run.
        case elsewhere([String])
    }

    /// Placeholders of the guide, and what stands for them here.
    static let placeholders = ["HOST": "lab01"]

    static let firstSteps = "FirstStepsLabTests.theFirstStepsRunInOrderOnALab"

    static let coverage: [String: Coverage] = [
        // First steps: FirstStepsLabTests runs them in this order on a lab.
        "pmctl status @rack1": .elsewhere([Self.firstSteps, "FanOutLabTests.fiftyHostsWithDeadAndHangingOnesFinishInAboutOneDeadline"]),
        "pmctl check lab01": .here(exit: 0, says: "TOOL"),
        "pmctl learn @rack1": .elsewhere([Self.firstSteps, "WakeLabTests.learnStoresTheMACSoAHostCanBeWokenByNameAlone"]),
        "pmctl cancel lab01": .elsewhere([Self.firstSteps, "SeedLineLabTests.s3CancelsTheStackAndLeavesTheHostUp"]),
        "pmctl cancel lab01 --self --wol": .elsewhere([Self.firstSteps]),
        "pmctl wake lab01": .elsewhere([Self.firstSteps, "WakeLabTests.aUDPBroadcastFromTheControllerWakesAHostOnItsSegment"]),
        "pmctl cancel 'node[01-16]' --method reboot --self --yes": .elsewhere([Self.firstSteps]),
        "pmctl ipmi lab01 status": .elsewhere(["IPMICommandTests.statusOnAndTheFailureOutcomesReadAsJSON"]),
        "pmctl console lab01": .elsewhere(["ConsoleTests.aCLIConsoleRunsCommandsPassesCtrlCAndReturnsTheExitStatus"]),
        "pmctl history": .here(exit: 0, says: "pmctl check lab01"),
        "pmctl retry RUN-ID --failed": .here(exit: 0, says: "nothing to retry"),
        // The ctys form and the subcommands (the lab runs the ctys forms; both plan here).
        "pmctl -t pm -a create=wol,t:hostX,broadcast:hostXDirectedCast lab01": .elsewhere(["SeedLineLabTests.s1WakesHostXThroughLab01ByDirectedBroadcast"]),
        "pmctl wake hostX --via lab01 --broadcast hostXDirectedCast": .elsewhere(["WakeLabTests.aRelayAgentOnTheTargetsSegmentSendsForTheController"]),
        "pmctl -t pm -a create=CONSOLE:cli HOST": .elsewhere(["ConsoleTests.aCLIConsoleRunsCommandsPassesCtrlCAndReturnsTheExitStatus"]),
        "pmctl console HOST": .elsewhere(["ConsoleTests.aCLIConsoleRunsCommandsPassesCtrlCAndReturnsTheExitStatus"]),
        "pmctl -t pm -a cancel=1:tst100,POWEROFF:0 lab01": .elsewhere(["SeedLineLabTests.s3CancelsTheStackAndLeavesTheHostUp"]),
        "pmctl cancel lab01 --delay 0": .elsewhere(["SeedLineLabTests.s3CancelsTheStackAndLeavesTheHostUp"]),
        "pmctl -t xen -a cancel=1:tst100,force,POWEROFF:0 lab01": .elsewhere(["SeedLineLabTests.s4ForcePowersTheHostOffAtOnceAndAbandonsItsGuests"]),
        "pmctl cancel lab01 --type xen --force --delay 0": .elsewhere(["SeedLineLabTests.s4ForcePowersTheHostOffAtOnceAndAbandonsItsGuests"]),
        "pmctl -t xen -a cancel=1:tst100,POWEROFF,wol lab01": .elsewhere(["SeedLineLabTests.s5ShutsTheGuestsDownAndArmsWoLWithTheHostLeftUp"]),
        "pmctl cancel lab01 --type xen --wol": .elsewhere(["SeedLineLabTests.s5ShutsTheGuestsDownAndArmsWoLWithTheHostLeftUp"]),
        "pmctl -t xen -a cancel=1:tst100,POWEROFF,wol,broadcast:192.168.3.255 lab01": .elsewhere(["SeedLineLabTests.s6AlsoStoresTheBroadcastAsTheWakeAddress"]),
        "pmctl cancel lab01 --type xen --wol --broadcast 192.168.3.255": .elsewhere(["SeedLineLabTests.s6AlsoStoresTheBroadcastAsTheWakeAddress"]),
        "pmctl -t pm -a cancel=1:tst001,REBOOT lab01": .elsewhere(["SeedLineLabTests.s7RebootsTheGuestsAndLeavesTheHostUp"]),
        "pmctl cancel lab01 --method reboot": .elsewhere(["SeedLineLabTests.s7RebootsTheGuestsAndLeavesTheHostUp"]),
        "pmctl -t pm -a cancel=1:tst001,REBOOT,SELF lab01": .elsewhere(["SeedLineLabTests.s8ShutsTheGuestsDownThenRebootsTheHostWithANewBootID"]),
        "pmctl cancel lab01 --method reboot --self": .elsewhere(["SeedLineLabTests.s8ShutsTheGuestsDownThenRebootsTheHostWithANewBootID"]),
        "pmctl -t xen -a cancel=1:tst100,REBOOT,FORCE lab01": .elsewhere(["SeedLineLabTests.s9RebootsTheHostAtOnceAndAbandonsItsGuests"]),
        "pmctl cancel lab01 --type xen --method reboot --force": .elsewhere(["SeedLineLabTests.s9RebootsTheHostAtOnceAndAbandonsItsGuests"]),
        "pmctl -t PM -a cancel=1:tst100,INIT:0 lab01": .elsewhere(["SeedLineLabTests.s10ShutsTheGuestsDownThenRunsInit0"]),
        "pmctl cancel lab01 --method init:0": .elsewhere(["SeedLineLabTests.s10ShutsTheGuestsDownThenRunsInit0"]),
    ]

    @Test func everyGuideCommandHasAnEntryAndEveryEntryIsInTheGuide() throws {
        let guide = try ReadmeGuide.load()
        #expect(guide.commands.count >= 20, "the markers went missing: \(guide.commands)")
        for command in guide.commands { #expect(Self.coverage[command.text] != nil, "no entry for \(command)") }
        let written = Set(guide.commands.map(\.text))
        for text in Self.coverage.keys { #expect(written.contains(text), "an entry the README no longer has: \(text)") }
    }

    @Test func theTestsNamedForTheLabCommandsExist() throws {
        let sources = try FileManager.default.subpathsOfDirectory(atPath: Repository.root.appendingPathComponent("Tests").path)
            .filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOf: Repository.root.appendingPathComponent("Tests/" + $0), encoding: .utf8) }
            .joined()
        for case .elsewhere(let tests) in Self.coverage.values {
            for test in tests {
                let parts = test.split(separator: ".")
                #expect(sources.contains("struct \(parts[0])") && sources.contains("func \(parts[1])("), "no test \(test)")
            }
        }
    }

    /// The table's two columns plan the same requests (a label only names the run), so
    /// the lab tests that run the ctys forms cover the subcommands too.
    @Test func eachSubcommandOfTheTablePlansWhatItsCtysFormPlans() throws {
        let rows = Dictionary(grouping: try ReadmeGuide.load().commands, by: \.line).values
            .filter { $0.contains { $0.text.hasPrefix("pmctl -t ") } }
        #expect(rows.count == 10, "\(rows)")
        func plan(_ command: ReadmeGuide.Command) throws -> String {
            let words = command.words.dropFirst().map { Self.placeholders[$0] ?? $0 }
            let run = try ProgramRun.run(Repository.executable("pmctl"), words + ["--dry-run", "--inventory", ResultSchemaTests.example],
                                         environment: ["PMCTL_INVENTORY": nil, "HOME": "/nonexistent"])
            #expect(run.status == 0, "\(command): \(run.stderr)")
            return run.stdout.replacingOccurrences(of: " label=[^ \n]+", with: "", options: .regularExpression)
        }
        for row in rows {
            try #require(row.count == 2, "\(row)")
            let ctys = try #require(row.first { $0.text.hasPrefix("pmctl -t ") }, "\(row)")
            let subcommand = try #require(row.first { !$0.text.hasPrefix("pmctl -t ") }, "\(row)")
            #expect(try plan(ctys) == plan(subcommand), "\(ctys) and \(subcommand)")
        }
    }

    @Test func theGuideRunsAsWritten() throws {
        let guide = try ReadmeGuide.load()
        let sshd = try SSHDaemon(forcedCommand: "\(Repository.executable("pmagent").path) serve --no-system-tools")
        let files = try TemporaryDirectory()
        defer { sshd.stopAndRemoveFiles(); files.remove() }
        // The example inventory, with lab01 reachable: the sshd and its real agent on loopback.
        let example = try String(contentsOf: Repository.root.appendingPathComponent("controller/examples/inventory.yaml"), encoding: .utf8)
        let lab01 = "    address: 10.77.0.11\n"
        try #require(example.contains(lab01))
        try files.write("inventory.yaml", example.replacingOccurrences(of: lab01, with: """
                address: 127.0.0.1
                port: \(sshd.port)
                user: root
                identity: \(sshd.clientKey.privateKeyPath)
                known_hosts: \(sshd.knownHostsPath)

            """))
        func pmctl(_ words: [String]) throws -> ProgramRun {
            try ProgramRun.run(Repository.executable("pmctl"), Array(words.dropFirst()),
                               environment: ["PMCTL_INVENTORY": files.file("inventory.yaml"), "PMCTL_STATE": files.file("state"),
                                             "HOME": files.path, "SSH_AUTH_SOCK": nil, "NO_COLOR": nil], timeout: 60)
        }

        var runID: String?
        for command in guide.commands {
            var words = command.words.map { Self.placeholders[$0] ?? $0 }
            switch Self.coverage[command.text] {
            case .here(let exit, let says)?:
                if let index = words.firstIndex(of: "RUN-ID") { words[index] = try #require(runID, "no run yet for \(command)") }
                let run = try pmctl(words)
                #expect(run.status == exit, "\(command): exit \(run.status): \(run.stderr)")
                #expect((run.stdout + run.stderr).contains(says), "\(command): \(run.stdout)\(run.stderr)")
                runID = runID ?? run.stdout.split(separator: " ").last.map { String($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            case .elsewhere?:
                let run = try pmctl(words + ["--dry-run"])
                #expect(run.status == 0, "\(command) --dry-run: exit \(run.status): \(run.stderr)")
                #expect(run.stdout.hasPrefix("dry run: "), "\(command) --dry-run: \(run.stdout)")
            case nil:
                break  // the first test names it
            }
        }
        #expect(runID != nil, "no command ran here")
    }
}
