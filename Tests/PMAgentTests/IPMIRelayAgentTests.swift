import Foundation
import PMProtocol
import Testing
import TestSupport

/// IPMI: the agent, as the BMC's relay, runs the real ipmitool against a real ipmi_sim on
/// loopback. It runs as user nobody (ipmitool over LAN needs no root, so no sudo rule); the
/// ipmitool in its tool folder is a wrapper that records its argv and environment and then
/// runs the real one, so the test sees that the password is in neither.
@Suite(.serialized) struct IPMIRelayAgentTests {
    func relay(_ fixture: AgentFixture) throws -> AgentProcess {
        try fixture.fake("ipmitool", "env > '\(fixture.root)/ipmitool.env'\nexec /usr/bin/ipmitool \"$@\"")
        return try fixture.startUnprivilegedAgent()
    }

    func request(_ sim: IPMISimulator, _ command: String, password: String? = nil) -> String {
        let arguments = IPMIArguments(command: command, address: "127.0.0.1", port: sim.port, user: sim.user,
                                      password: password ?? sim.password)
        return String(decoding: LineCodec.encode(Request.ipmi(arguments).message(id: "i-\(command)")).dropLast(), as: UTF8.self)
    }

    @Test func anUnprivilegedAgentDrivesTheBMCWithThePasswordOnAPipe() throws {
        let sim = try IPMISimulator(initialPower: false)
        let fixture = try AgentFixture()
        defer { sim.stop() }
        let agent = try relay(fixture)
        #expect(agent.hello.fields.text("caps")?.split(separator: ",").contains("ipmi") == true)

        let status = try #require(try agent.request(request(sim, "status")).last)
        #expect(status.kind == .ok && status.fields.text("power") == "off", "\(status)")
        let on = try #require(try agent.request(request(sim, "on")).last)
        #expect(on.kind == .ok && on.fields.text("power") == "unknown", "\(on)")
        #expect(sim.isPoweredOn)
        let after = try #require(try agent.request(request(sim, "status")).last)
        #expect(after.fields.text("power") == "on", "\(after)")

        let runs = fixture.record.filter { $0.hasPrefix("ipmitool ") }
        #expect(runs.count == 3, "\(fixture.record)")
        #expect(runs.first == "ipmitool -I lanplus -H 127.0.0.1 -p \(sim.port) -U admin -C 3 -R 2 -N 1 -v -f /dev/stdin chassis power status")
        #expect(!fixture.record.joined().contains(sim.password), "the password is in no argument list")
        let environment = (try? String(contentsOfFile: fixture.root + "/ipmitool.env", encoding: .utf8)) ?? "?"
        #expect(!environment.contains(sim.password), "nor in ipmitool's environment: \(environment)")
        _ = try agent.finish()
    }

    @Test func aWrongPasswordIsAToolFailureWhoseTailShowsTheRefusedLogin() throws {
        let sim = try IPMISimulator()
        let fixture = try AgentFixture()
        defer { sim.stop() }
        let agent = try relay(fixture)
        let reply = try #require(try agent.request(request(sim, "status", password: "not-it")).last)
        #expect(reply.kind == .error && reply.word == "tool-failed", "\(reply)")
        #expect(reply.fields.text("tool") == "ipmitool")
        #expect(reply.fields.text("stderr")?.contains("RAKP 2 HMAC is invalid") == true, "\(reply)")
        #expect(sim.chassisLog.isEmpty)
        _ = try agent.finish()
    }
}
