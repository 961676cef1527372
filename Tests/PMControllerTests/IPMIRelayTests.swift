import Foundation
import Testing
import TestSupport

/// `pmctl ipmi` for BMCs only a relay reaches: the inventory names the relay in `ipmi:`, pmctl
/// asks that host's agent (a real `pmagent serve` behind a real sshd on loopback) to run
/// ipmitool, and the agent drives a real ipmi_sim. Outcomes are told apart as they are
/// without a relay, plus a relay that cannot be reached.
@Suite(.serialized) struct IPMIRelayTests {
    @Test func aBMCBehindARelayIsDrivenThroughThatHostsAgent() throws {
        let sim = try IPMISimulator(initialPower: false)
        let relay = try SSHDaemon(forcedCommand: "\(Repository.executable("pmagent").path) serve")
        let files = try TemporaryDirectory("pmcon")
        let deadRelay = try ClosedPort()
        defer { sim.stop(); relay.stopAndRemoveFiles(); files.remove() }
        try files.write("wrong", "not-it\n", mode: 0o600)
        let bmc = "address: 127.0.0.1, port: \(sim.port), user: \(sim.user), cipher: 3"
        try files.write("inventory.yaml", """
            defaults: {user: \(relay.user), identity: \(relay.clientKey.privateKeyPath), known_hosts: \(relay.knownHostsPath)}
            hosts:
              seg-relay: {address: 127.0.0.1, port: \(relay.port)}
              gone-relay: {address: 127.0.0.1, port: \(deadRelay.port)}
              node1:
                ipmi: {\(bmc), password_file: \(sim.passwordFile), relay: seg-relay}
              node2:
                ipmi: {\(bmc), password_file: \(files.file("wrong")), relay: seg-relay}
              node3:
                ipmi: {\(bmc), password_file: \(sim.passwordFile), relay: gone-relay}
            """)
        func pmctl(_ words: [String]) throws -> ProgramRun {
            let run = try ProgramRun.run(Repository.executable("pmctl"),
                                         ["--inventory", files.file("inventory.yaml"), "--state", files.file("state"), "--json",
                                          "--connect-timeout", "5", "ipmi", "--bmc-interval", "0.2"] + words,
                                         environment: ["PMCTL_IPMI_PASSWORD": nil], timeout: 120)
            let violations = try JSONSchema.results().violations(ofLines: run.stdout)
            #expect(violations.isEmpty, "\(violations)")
            return run
        }

        let dry = try pmctl(["--dry-run", "node1", "status"])
        #expect(dry.lines.first?.contains(#"{"agent":"seg-relay","request":"REQ r1 ipmi command=status address=127.0.0.1 port=\#(sim.port) user=admin cipher=3 password=(from "#) == true,
                "the dry run names the relay and the request, not the password: \(dry.stdout)")
        #expect(!dry.stdout.contains(sim.password))

        let on = try pmctl(["node1", "on"])
        #expect(on.status == 0, "\(on.stdout)\(on.stderr)")
        #expect(on.lines.first?.contains(#""outcome":"ok""#) == true, "\(on.stdout)")
        #expect(on.lines.first?.contains(#"{"step":"power","name":"node1","result":"on"}"#) == true, "confirmed by a status through the relay: \(on.stdout)")
        #expect(sim.isPoweredOn)
        // The command, then at least one status poll: all of it reached the BMC via the relay.
        #expect(sim.chassisLog.map(\.call).contains("set power 1"))

        let mixed = try pmctl(["node1", "node2", "node3", "status"])
        #expect(mixed.status == 1)
        let expected = ["node1": "ok", "node2": "auth", "node3": "unreachable"]
        for (host, outcome) in expected {
            let lines = mixed.lines.filter { $0.hasPrefix(#"{"host":"\#(host)","#) }
            #expect(lines.count == 1 && lines[0].contains(#""outcome":"\#(outcome)""#), "\(host): \(lines)")
        }
        let node3 = mixed.lines.first { $0.hasPrefix(#"{"host":"node3","#) } ?? ""
        #expect(node3.contains("relay gone-relay"), "the message names the relay: \(node3)")
        #expect(!mixed.stdout.contains(sim.password) && !mixed.stderr.contains(sim.password))
    }
}
