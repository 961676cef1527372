import Foundation
import Testing
import TestSupport
@testable import PMController

/// IPMI power control against OpenIPMI's real ipmi_sim on loopback.
@Suite(.serialized) struct IPMITests {
    private func endpoint(_ sim: IPMISimulator, passwordFile: String? = nil) -> BMCEndpoint {
        BMCEndpoint(address: "127.0.0.1", port: sim.port, user: sim.user, passwordFile: passwordFile ?? sim.passwordFile)
    }

    private func control(_ state: TemporaryDirectory, interval: Double = 0) -> IPMIPowerControl {
        IPMIPowerControl(client: IPMIClient(), pacer: BMCPacer(stateDirectory: state.path, interval: interval), confirmTimeout: 5)
    }

    @Test func statusReadsTheChassisPowerState() throws {
        let sim = try IPMISimulator(initialPower: true)
        defer { sim.stop() }
        #expect(try IPMIClient().run(.status, on: endpoint(sim)) == .on)
        let off = try IPMISimulator(initialPower: false)
        defer { off.stop() }
        #expect(try IPMIClient().run(.status, on: endpoint(off)) == .off)
    }

    @Test func onPowersTheChassisOnAndConfirmsIt() throws {
        let sim = try IPMISimulator(initialPower: false)
        let state = try TemporaryDirectory()
        defer { sim.stop(); state.remove() }
        let outcome = try control(state).perform(.on, on: endpoint(sim))
        #expect(outcome == .init(power: .on, confirmed: true))
        #expect(sim.isPoweredOn)
        #expect(sim.chassisLog.map(\.call).contains("set power 1"))
    }

    @Test func offPowersTheChassisOffAndConfirmsIt() throws {
        let sim = try IPMISimulator(initialPower: true)
        let state = try TemporaryDirectory()
        defer { sim.stop(); state.remove() }
        #expect(try control(state).perform(.off, on: endpoint(sim)) == .init(power: .off, confirmed: true))
        #expect(!sim.isPoweredOn)
        #expect(sim.chassisLog.map(\.call).contains("set power 0"))
    }

    @Test(arguments: [PowerCommand.reset, .soft])
    func resetAndSoftReachTheBMCAndClaimNoConfirmation(_ command: PowerCommand) throws {
        let sim = try IPMISimulator(initialPower: true)
        let state = try TemporaryDirectory()
        defer { sim.stop(); state.remove() }
        let outcome = try control(state).perform(command, on: endpoint(sim))
        // A reset keeps the power on and an OS may ignore a soft-off: "on" would prove nothing.
        #expect(outcome == .init(power: .unknown, confirmed: nil))
        #expect(sim.chassisLog.contains { $0.call.hasPrefix("set ") }, "\(sim.chassisLog.map(\.call))")
        #expect(!sim.chassisLog.contains { $0.call == "get power" }, "nothing to poll for: \(sim.chassisLog.map(\.call))")
    }

    /// A cycle is confirmed only by seeing off, then on: the power was on before it, too.
    @Test func aCycleIsConfirmedBySeeingOffThenOn() throws {
        let sim = try IPMISimulator(initialPower: true)
        let state = try TemporaryDirectory()
        defer { sim.stop(); state.remove() }
        let outcome = try control(state).perform(.cycle, on: endpoint(sim))
        #expect(outcome == .init(power: .on, confirmed: true))
        let calls = sim.chassisLog.map(\.call)
        let off = try #require(calls.firstIndex(of: "set power 0"), "\(calls)")
        let on = try #require(calls.firstIndex(of: "set power 1"), "\(calls)")
        #expect(off < on)
        // The BMC was asked while the chassis was off: the poll saw off before it saw on.
        #expect(calls[off..<on].contains("get power"), "\(calls)")
        #expect(calls[on...].contains("get power"), "\(calls)")
    }

    /// A chassis that is on before and after, and never seen off, proves no cycle.
    @Test func aCycleNeverSeenOffIsNotConfirmed() throws {
        let sim = try IPMISimulator(initialPower: true)
        let state = try TemporaryDirectory()
        defer { sim.stop(); state.remove() }
        try sim.staysOn()
        var control = control(state)
        control.confirmTimeout = 1
        let outcome = try control.perform(.cycle, on: endpoint(sim))
        #expect(outcome == .init(power: .on, confirmed: false))
    }

    /// A relay gets the password as `ipmitool -f` would read the file: its first line
    /// without LF or CRLF, 1 to 20 bytes.
    @Test func aRelaysPasswordIsTheFilesFirstLineWithoutItsLineEnd() throws {
        #expect(try RelayIPMIClient.passwordLine("pm-secret\r\nnext\n", file: "f") == "pm-secret")
        #expect(try RelayIPMIClient.passwordLine("pm-secret\n", file: "f") == "pm-secret")
        #expect(try RelayIPMIClient.passwordLine("pm-secret", file: "f") == "pm-secret")
        #expect(throws: IPMIFailure.badPassword(path: "f", bytes: 0)) { try RelayIPMIClient.passwordLine("\r\n", file: "f") }
        #expect(throws: IPMIFailure.badPassword(path: "f", bytes: 21)) { try RelayIPMIClient.passwordLine(String(repeating: "x", count: 21), file: "f") }
    }

    /// A relay whose agent never greets ran out of time: `timeout`, as any agent that
    /// connects and then says nothing, not `failed`.
    @Test func aRelayThatNeverGreetsEndsTimeout() throws {
        let lab = try AgentLab()
        try lab.setMode("hang", for: ["relay1"])
        let state = try TemporaryDirectory()
        defer { state.remove() }
        try state.write("password", "pw\n", mode: 0o600)
        let client = RelayIPMIClient(connector: lab.connector, resolver: TargetResolver(inventory: .empty), connectTimeout: 1)
        let bmc = BMCEndpoint(address: "127.0.0.1", user: "admin", passwordFile: state.file("password"), relay: "relay1")
        let error = #expect(throws: IPMIFailure.self) { try client.run(.status, on: bmc, via: "relay1") }
        #expect(error?.outcome == .timeout, "\(String(describing: error))")
    }

    /// Ctrl-C before the command: nothing reaches the BMC.
    @Test func anInterruptionBeforeTheCommandSendsNothing() throws {
        let sim = try IPMISimulator(initialPower: true)
        let state = try TemporaryDirectory()
        defer { sim.stop(); state.remove() }
        let interruption = Interruption()
        interruption.set()
        #expect(throws: IPMIFailure.interrupted) { try control(state).perform(.off, on: endpoint(sim), interruption: interruption) }
        #expect(sim.chassisLog.isEmpty)
        #expect(sim.isPoweredOn)
    }

    @Test func aWrongPasswordEndsAuthNotUnreachable() throws {
        let sim = try IPMISimulator()
        let state = try TemporaryDirectory()
        defer { sim.stop(); state.remove() }
        try state.write("wrong", "not-the-password\n", mode: 0o600)
        let error = #expect(throws: IPMIFailure.self) { try IPMIClient().run(.status, on: endpoint(sim, passwordFile: state.file("wrong"))) }
        guard case .auth = error else { Issue.record("expected auth, got \(String(describing: error))"); return }
        #expect(error?.description.contains("password") == true)
    }

    @Test func aSilentPortEndsUnreachable() throws {
        let state = try TemporaryDirectory()
        defer { state.remove() }
        try state.write("password", "x\n", mode: 0o600)
        let bmc = BMCEndpoint(address: "127.0.0.1", port: freeLoopbackPort(udp: true), user: "admin", passwordFile: state.file("password"))
        let error = #expect(throws: IPMIFailure.self) { try IPMIClient().run(.status, on: bmc) }
        guard case .unreachable = error else { Issue.record("expected unreachable, got \(String(describing: error))"); return }
    }

    @Test func commandsToOneBMCKeepTheirIntervalWithinARunAndAcrossRuns() throws {
        let sim = try IPMISimulator()
        let state = try TemporaryDirectory()
        defer { sim.stop(); state.remove() }
        let interval = 0.6
        // Two commands in one run, then one from a "second run" (a new pacer on the same state).
        let first = control(state, interval: interval)
        _ = try first.perform(.status, on: endpoint(sim))
        _ = try first.perform(.status, on: endpoint(sim))
        _ = try control(state, interval: interval).perform(.status, on: endpoint(sim))
        let times = sim.chassisLog.filter { $0.call == "get power" }.map(\.time)
        #expect(times.count == 3)
        for (earlier, later) in zip(times, times.dropFirst()) {
            // ipmitool itself takes a few ms between connecting and asking; allow that much less.
            #expect(later - earlier >= interval - 0.05, "gaps \(zip(times, times.dropFirst()).map { $1 - $0 })")
        }
    }

    @Test func thePasswordNeverAppearsOnTheCommandLine() throws {
        let state = try TemporaryDirectory()
        defer { state.remove() }
        // A recording stand-in for ipmitool: what matters here is only what it was given.
        try state.write("ipmitool", "#!/bin/sh\necho \"$*\" > \(state.file("argv"))\necho \"$IPMI_PASSWORD\" > \(state.file("env"))\necho 'Chassis Power is on'\n", mode: 0o755)
        let client = IPMIClient(ipmitool: state.file("ipmitool"), environment: ["PMCTL_IPMI_PASSWORD": "s3cret-pw"])
        #expect(try client.run(.status, on: BMCEndpoint(address: "10.0.0.5", user: "admin")) == .on)
        let argv = try String(contentsOfFile: state.file("argv"), encoding: .utf8)
        #expect(!argv.contains("s3cret-pw"))
        #expect(argv.contains("-E") && argv.contains("chassis power status"))
        #expect(try String(contentsOfFile: state.file("env"), encoding: .utf8) == "s3cret-pw\n")
    }

    @Test func noPasswordAnywhereIsAClearError() {
        let client = IPMIClient(environment: [:])
        let error = #expect(throws: IPMIFailure.self) { try client.run(.status, on: BMCEndpoint(address: "127.0.0.1", user: "admin")) }
        #expect(error?.description.contains("PMCTL_IPMI_PASSWORD") == true)
    }
}
