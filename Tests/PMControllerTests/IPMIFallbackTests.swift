import Foundation
import Testing
import TestSupport

/// `cancel --ipmi-fallback`: a host whose agent is unreachable (its SSH port refuses) and
/// whose BMC is a real ipmi_sim on loopback. The simulated chassis shows what the BMC was
/// told; the JSON result shows that it went through the BMC.
@Suite(.serialized) struct IPMIFallbackTests {
    final class Setup {
        let sim: IPMISimulator
        let files: TemporaryDirectory
        let sshPort: ClosedPort

        init() throws {
            sim = try IPMISimulator(initialPower: true)
            files = try TemporaryDirectory("pmcon")
            sshPort = try ClosedPort()
            try files.write("known_hosts", "")
            try files.write("inventory.yaml", """
                hosts:
                  lab01:
                    address: 127.0.0.1
                    port: \(sshPort.port)
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

        // REBOOT with SELF: a power cycle, confirmed on.
        let reboot = try setup.pmctl(["cancel", "lab01", "--method", "reboot", "--self", "--ipmi-fallback", "--bmc-interval", "0.2"])
        #expect(reboot.status == 0, "\(reboot.stdout)\(reboot.stderr)")
        let rebootSteps = Self.steps(Self.result(reboot))
        #expect(rebootSteps.first?["result"] == "reboot-accepted" && rebootSteps.first?["command"] == "cycle", "\(rebootSteps)")
        #expect(rebootSteps.last?["result"] == "on")
        #expect(setup.sim.isPoweredOn)
        #expect(setup.chassisCalls() == ["set power 0", "set power 1"])
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
}
