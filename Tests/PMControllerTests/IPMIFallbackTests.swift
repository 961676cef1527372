import Foundation
import GRDB
import Testing
import TestSupport
@testable import PMController

/// `cancel --ipmi-fallback`: a host whose agent is unreachable (its SSH port drops every
/// connection attempt, as a host that is down does) and whose BMC is a real ipmi_sim on
/// loopback. A port that refuses is a host that is up: the fallback leaves it alone. The simulated chassis shows what the BMC was
/// told; the JSON result shows that it went through the BMC.
@Suite(.serialized) struct IPMIFallbackTests {
    final class Setup {
        let sim: IPMISimulator
        let files: TemporaryDirectory
        /// The host's SSH port: silent (down) or refusing (up, no sshd).
        let sshPort: Int
        private let portKeeper: AnyObject

        init(refusing: Bool = false) throws {
            sim = try IPMISimulator(initialPower: true)
            files = try TemporaryDirectory("pmcon")
            if refusing {
                let closed = try ClosedPort()
                (sshPort, portKeeper) = (closed.port, closed)
            } else {
                let silent = try SilentListener(full: true)
                (sshPort, portKeeper) = (silent.port, silent)
            }
            try files.write("known_hosts", "")
            try files.write("inventory.yaml", """
                hosts:
                  lab01:
                    address: 127.0.0.1
                    port: \(sshPort)
                    known_hosts: \(files.file("known_hosts"))
                    identity: \(files.file("no-key"))
                    ipmi: {address: 127.0.0.1, port: \(sim.port), user: \(sim.user), password_file: \(sim.passwordFile), cipher: 3}
                """)
        }

        deinit {
            sim.stop()
            files.remove()
        }

        /// A `--json` run; every line it prints is checked against the result schema.
        func pmctl(_ words: [String]) throws -> ProgramRun {
            let run = try ProgramRun.run(Repository.executable("pmctl"),
                                         ["--inventory", files.file("inventory.yaml"), "--state", files.file("state"), "--json",
                                          "--connect-timeout", "3", "--confirm-timeout", "20"] + words,
                                         environment: ["PMCTL_IPMI_PASSWORD": nil], timeout: 120)
            let violations = try JSONSchema.results().violations(ofLines: run.stdout)
            #expect(violations.isEmpty, "\(violations)")
            return run
        }

        /// The chassis calls since the last look (get power polls left out).
        func chassisCalls() -> [String] {
            defer { try? FileManager.default.removeItem(atPath: sim.directory.file("chassis.log")) }
            return sim.chassisLog.map(\.call).filter { $0 != "get power" }
        }

        func powerOn() throws { try sim.directory.write("power", "1\n") }

        /// The journal's row for lab01 in `run`: when the request went out, and its answer.
        func journaled(_ run: ProgramRun) throws -> (sent: String?, replied: String?) {
            let id = try #require(run.lines.last.flatMap { line in
                line.range(of: #""run":""#).map { String(line[$0.upperBound...].prefix { $0 != "\"" }) }
            })
            let database = try JournalDatabase(stateDirectory: files.file("state"))
            let row = try #require(try database.pool.read { db in
                try Row.fetchOne(db, sql: "SELECT sent, replied FROM host WHERE run = ? AND name = 'lab01'", arguments: [id])
            })
            return (row["sent"], row["replied"])
        }

        static func runID(_ run: ProgramRun) -> String {
            run.lines.last.flatMap { line in line.range(of: #""run":""#).map { String(line[$0.upperBound...].prefix { $0 != "\"" }) } } ?? "?"
        }
    }

    /// The run's one host result line, parsed.
    static func result(_ run: ProgramRun) -> [String: Any] {
        guard let line = run.lines.first, let data = line.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }

    static func steps(_ result: [String: Any]) -> [[String: String]] {
        ((result["steps"] as? [[String: Any]]) ?? []).map { $0.compactMapValues { $0 as? String } }
    }

    @Test func anUnreachableHostIsPoweredOffAndRebootedThroughItsBMC() throws {
        let setup = try Setup()

        let soft = try setup.pmctl(["cancel", "lab01", "--self", "--delay", "0", "--ipmi-fallback", "--bmc-interval", "0.2"])
        #expect(soft.status == 0, "\(soft.stdout)\(soft.stderr)")
        let softResult = Self.result(soft)
        #expect(softResult["outcome"] as? String == "ok")
        #expect((softResult["message"] as? String)?.contains("through the BMC") == true, "\(softResult)")
        let softSteps = Self.steps(softResult)
        #expect(softSteps.count == 2, "\(softSteps)")
        #expect(softSteps.first?["step"] == "host" && softSteps.first?["result"] == "poweroff-accepted", "\(softSteps)")
        #expect(softSteps.first?["via"] == "bmc" && softSteps.first?["command"] == "soft", "\(softSteps)")
        #expect(softSteps.last?["step"] == "power" && softSteps.last?["result"] == "off" && softSteps.last?["via"] == "bmc", "\(softSteps)")
        #expect(!setup.sim.isPoweredOn)
        #expect(setup.chassisCalls() == ["set shutdown 1"], "a poweroff asks the OS to shut down (ACPI soft-off)")

        // FORCE in the ctys form: the power is cut.
        try setup.powerOn()
        let force = try setup.pmctl(["-t", "pm", "-a", "cancel=1:tst100,force,POWEROFF:0", "lab01", "--ipmi-fallback", "--bmc-interval", "0.2"])
        #expect(force.status == 0, "\(force.stdout)\(force.stderr)")
        #expect(Self.steps(Self.result(force)).first?["command"] == "off")
        #expect(!setup.sim.isPoweredOn)
        #expect(setup.chassisCalls() == ["set power 0"])

        // REBOOT with SELF: a power cycle done as off, then on, each seen by a status poll.
        let reboot = try setup.pmctl(["cancel", "lab01", "--method", "reboot", "--self", "--ipmi-fallback", "--bmc-interval", "0.2"])
        #expect(reboot.status == 0, "\(reboot.stdout)\(reboot.stderr)")
        let rebootSteps = Self.steps(Self.result(reboot))
        #expect(rebootSteps.first?["result"] == "reboot-accepted" && rebootSteps.first?["command"] == "cycle", "\(rebootSteps)")
        #expect(rebootSteps.last?["result"] == "on")
        #expect((Self.result(reboot)["message"] as? String)?.contains("seen off, then on") == true, "\(reboot.stdout)")
        #expect(setup.sim.isPoweredOn)
        let calls = setup.sim.chassisLog.map(\.call)
        let off = try #require(calls.firstIndex(of: "set power 0"), "\(calls)")
        let on = try #require(calls.lastIndex(of: "set power 1"), "\(calls)")
        #expect(off < on && calls[off..<on].contains("get power"), "off was seen before on was asked for: \(calls)")
        #expect(setup.chassisCalls() == ["set power 0", "set power 1"])
        // Journaled as sent before the BMC was told, and its acceptance as the answer.
        let journaled = try setup.journaled(reboot)
        #expect(journaled.sent != nil && journaled.replied == "ok", "\(journaled)")
    }

    @Test func nothingReachesTheBMCWithoutTheFlagOrWhenTheHostWouldStayUp() throws {
        let setup = try Setup()

        let plain = try setup.pmctl(["cancel", "lab01", "--self", "--delay", "0"])
        #expect(plain.status == 1)
        #expect(Self.result(plain)["outcome"] as? String == "unreachable", "\(plain.stdout)")

        // Without SELF only the stack would go down; a BMC can only take the whole machine.
        let stackOnly = try setup.pmctl(["cancel", "lab01", "--ipmi-fallback", "--bmc-interval", "0.2"])
        #expect(stackOnly.status == 1)
        #expect(Self.result(stackOnly)["outcome"] as? String == "unreachable")
        #expect((Self.result(stackOnly)["message"] as? String)?.contains("--ipmi-fallback acts only when the host itself goes down") == true,
                "\(stackOnly.stdout)")

        // A suspend cannot be done by a BMC: refused, not turned into a poweroff.
        let pause = try setup.pmctl(["cancel", "lab01", "--method", "pause", "--self", "--ipmi-fallback", "--bmc-interval", "0.2"])
        #expect(pause.status == 1)
        #expect((Self.result(pause)["message"] as? String)?.contains("cannot pause through a BMC") == true, "\(pause.stdout)")

        // A dry run shows what the BMC would be told, and tells it nothing.
        let dry = try setup.pmctl(["--dry-run", "cancel", "lab01", "--self", "--force", "--ipmi-fallback"])
        #expect(dry.status == 0)
        #expect(dry.stdout.contains(#"{"agent":"the controller","request":"(ipmitool -I lanplus against 127.0.0.1:\#(setup.sim.port): chassis power off)"}"#),
                "\(dry.stdout)")

        #expect(setup.sim.chassisLog.isEmpty, "nothing was sent to the BMC: \(setup.sim.chassisLog.map(\.call))")
        #expect(setup.sim.isPoweredOn)
    }

    /// A refused connection means the host's kernel answered: it is running, and the
    /// fallback must not power it off or cycle it.
    @Test func aHostThatRefusesTheConnectionIsNotActedOnThroughItsBMC() throws {
        let setup = try Setup(refusing: true)
        for method in ["poweroff", "reboot", "reset"] {
            let run = try setup.pmctl(["cancel", "lab01", "--method", method, "--self", "--delay", "0", "--ipmi-fallback", "--bmc-interval", "0.2"])
            #expect(run.status == 1)
            let result = Self.result(run)
            #expect(result["outcome"] as? String == "unreachable", "\(run.stdout)")
            #expect((result["message"] as? String)?.contains("--ipmi-fallback does not act") == true, "\(run.stdout)")
        }
        #expect(setup.sim.chassisLog.isEmpty, "nothing was sent to the BMC: \(setup.sim.chassisLog.map(\.call))")
        #expect(setup.sim.isPoweredOn)
    }

    /// A reset leaves the power on: the BMC cannot show it happened, so the host ends failed
    /// with an unconfirmed step, and it is in doubt: a plain retry does not reset it again.
    @Test func aResetThroughTheBMCIsUnconfirmedAndRetryDoesNotResendIt() throws {
        let setup = try Setup()
        let reset = try setup.pmctl(["cancel", "lab01", "--method", "reset", "--self", "--ipmi-fallback", "--bmc-interval", "0.2"])
        #expect(reset.status == 1)
        let result = Self.result(reset)
        #expect(result["outcome"] as? String == "failed", "\(reset.stdout)")
        #expect(!((result["message"] as? String) ?? "").contains("power now on"), "\(reset.stdout)")
        let steps = Self.steps(result)
        #expect(steps.first?["result"] == "reboot-accepted" && steps.first?["command"] == "reset", "\(steps)")
        #expect(steps.contains { $0["step"] == "confirm" && $0["result"] == "unconfirmed" }, "\(steps)")
        #expect(setup.chassisCalls() == ["set reset 1"])

        let retry = try setup.pmctl(["retry", Setup.runID(reset)])
        #expect(retry.status == 1)
        #expect(retry.stderr.contains("not resent to 1 host(s) in doubt: lab01"), "\(retry.stderr)")
        #expect(setup.chassisCalls().isEmpty, "the reset was not sent again")
    }

    /// A cycle whose off is never seen is not a reboot: failed, and not resent by retry.
    @Test func aRebootWhoseOffIsNeverSeenFailsAndIsInDoubt() throws {
        let setup = try Setup()
        try setup.sim.staysOn()
        let reboot = try ProgramRun.run(Repository.executable("pmctl"),
                                        ["--inventory", setup.files.file("inventory.yaml"), "--state", setup.files.file("state"), "--json",
                                         "--connect-timeout", "3", "--confirm-timeout", "2",
                                         "cancel", "lab01", "--method", "reboot", "--self", "--ipmi-fallback", "--bmc-interval", "0.2"],
                                        environment: ["PMCTL_IPMI_PASSWORD": nil], timeout: 120)
        #expect(reboot.status == 1)
        #expect(Self.result(reboot)["outcome"] as? String == "failed", "\(reboot.stdout)")
        #expect((Self.result(reboot)["message"] as? String)?.contains("did not report off, then on") == true, "\(reboot.stdout)")
        #expect(setup.chassisCalls() == ["set power 0"], "on is not asked for before off is seen")
        let retry = try setup.pmctl(["retry", Setup.runID(reboot)])
        #expect(retry.status == 1)
        #expect(setup.chassisCalls().isEmpty, "\(retry.stderr)")
    }

    /// A retry does what the run did: --ipmi-fallback and --bmc-interval are journaled with
    /// it. The first try could not reach the BMC (no password file yet: nothing was sent);
    /// the retry, given no such flags, goes through the BMC once the file is there.
    @Test func aRetryRepeatsTheRunsIPMIFallback() throws {
        let setup = try Setup()
        let inventory = try String(contentsOfFile: setup.files.file("inventory.yaml"), encoding: .utf8)
        try setup.files.write("inventory.yaml", inventory.replacingOccurrences(of: setup.sim.passwordFile, with: setup.files.file("bmc-password")))
        let first = try setup.pmctl(["cancel", "lab01", "--self", "--delay", "0", "--ipmi-fallback", "--bmc-interval", "0.2"])
        #expect(first.status == 1)
        #expect(Self.result(first)["outcome"] as? String == "refused", "\(first.stdout)")
        #expect(setup.sim.chassisLog.isEmpty)

        try setup.files.write("bmc-password", setup.sim.password + "\n", mode: 0o600)
        let retry = try setup.pmctl(["retry", Setup.runID(first)])
        #expect(retry.status == 0, "\(retry.stdout)\(retry.stderr)")
        #expect(Self.steps(Self.result(retry)).first?["via"] == "bmc", "\(retry.stdout)")
        #expect(setup.chassisCalls() == ["set shutdown 1"])
        #expect(!setup.sim.isPoweredOn)
    }
}
