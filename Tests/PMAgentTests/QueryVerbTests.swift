import Foundation
import PMProtocol
import Testing

/// PING, INFO and CHECK: what the controller learns about a host.
@Suite("PING, INFO, CHECK")
struct QueryVerbTests {
    @Test("The greeting names the protocol, the agent's version, the host and every verb")
    func greetingAnnouncesVersionAndVerbs() throws {
        let fixture = try AgentFixture()
        let agent = try fixture.startAgent()
        let hello = try Hello(agent.hello)
        #expect(hello.protocolVersion == .current)
        #expect(hello.host == "lab01")
        #expect(Set(hello.capabilities) == Set(Verb.allCases.map(\.rawValue)))
        #expect(try agent.finish() == 0)
    }

    @Test("PING answers the host name, boot id and uptime from the sysroot")
    func pingReportsBootIDAndUptime() throws {
        let fixture = try AgentFixture()
        let agent = try fixture.startAgent()
        let ok = try agent.request("REQ p1 ping").final
        #expect(ok?.kind == .ok)
        #expect(ok?["host"] == "lab01")
        #expect(ok?["boot"] == "3f1c2a9e-1111-4222-8333-444455556666")
        #expect(ok?["uptime"] == "12345")
        // A simulated reboot: a new boot id is seen by the next request.
        try fixture.write("aaaaaaaa-0000-4000-8000-000000000001\n", to: fixture.sysroot + "/proc/sys/kernel/random/boot_id")
        #expect(try agent.request("REQ p2 ping").final?["boot"] == "aaaaaaaa-0000-4000-8000-000000000001")
        #expect(try agent.finish() == 0)
    }

    @Test("INFO lists interfaces with MAC, addresses, bridge and WoL, the guests, and the host's facts")
    func infoReportsInterfacesGuestsAndFacts() throws {
        let namespace = try NetworkNamespace()
        try namespace.ip(["link", "add", "br0", "type", "bridge"])
        try namespace.ip(["link", "add", "v0", "address", "02:77:00:00:00:01", "type", "veth", "peer", "name", "v1"])
        try namespace.ip(["link", "set", "v0", "master", "br0"])
        try namespace.ip(["address", "add", "10.77.0.11/24", "dev", "br0"])
        try namespace.ip(["link", "set", "lo", "up"])
        let fixture = try AgentFixture()
        try fixture.ethtoolFake(capable: ["v0"], armed: ["v0"])
        try fixture.libvirtNode([.running("tst100"), .off("tst101")])
        let agent = try fixture.startAgent(in: namespace)

        let reply = try agent.request("REQ i1 info")
        let interfaces = Dictionary(uniqueKeysWithValues: reply.filter { $0["record"] == "iface" }.map { ($0["name"] ?? "", $0) })
        #expect(Set(interfaces.keys) == ["br0", "lo", "v0", "v1"])
        #expect(interfaces["v0"]?["mac"] == "02:77:00:00:00:01")
        #expect(interfaces["v0"]?["master"] == "br0")
        #expect(interfaces["v0"]?["wol-supported"] == "pumbg")
        #expect(interfaces["v0"]?["wol"] == "g")
        #expect(interfaces["v1"]?["master"] == nil)
        #expect(interfaces["v1"]?["wol"] == nil)
        #expect(interfaces["br0"]?["ipv4"] == "10.77.0.11/24")
        #expect(interfaces["lo"]?["ipv4"] == "127.0.0.1/8")
        let guests = reply.filter { $0["record"] == "guest" }.map { "\($0["hypervisor"] ?? "") \($0["name"] ?? "") \($0["state"] ?? "")" }
        #expect(guests == ["libvirt tst100 running", "libvirt tst101 off"])
        let ok = reply.final
        #expect(ok?.kind == .ok)
        #expect(ok?["host"] == "lab01")
        #expect(ok?["os"] == "Debian GNU/Linux 12 (bookworm)")
        #expect(ok?["uuid"] == "4c4c4544-0042-3510-8052-b7c04f4e3232")
        #expect(ok?["serial"] == "SN-0042")
        #expect(ok?["boot"] == "3f1c2a9e-1111-4222-8333-444455556666")
        #expect(ok?["hypervisors"] == "libvirt")
        #expect(try agent.finish() == 0)
        #expect(fixture.record.allSatisfy { $0.hasPrefix("ethtool ") && !$0.hasPrefix("ethtool -s") })
    }

    @Test("CHECK reports every tool of SEMANTICS.md with its path, and missing ones as missing")
    func checkReportsEveryTool() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.xenFake(running: [])
        let agent = try fixture.startAgent()
        let reply = try agent.request("REQ c1 check")
        let names = reply.filter { $0.kind == .data }.map { $0["name"] ?? "" }
        #expect(names == ["poweroff", "reboot", "halt", "init", "shutdown", "systemctl", "wall", "ethtool", "ether-wake",
                          "etherwake", "ip", "brctl", "ifup", "ifdown", "virsh", "xl", "xm", "ipmitool"])
        let records = Dictionary(uniqueKeysWithValues: reply.filter { $0.kind == .data }.map { ($0["name"] ?? "", $0) })
        #expect(records["xl"]?["path"] == "\(fixture.tools)/xl")
        #expect(records["xl"]?["allowed"] == "root")
        #expect(records["brctl"]?["allowed"] == "missing")
        #expect(reply.allSatisfy { $0.kind != .data || $0["record"] == "tool" })
        #expect(try agent.finish() == 0)
        // Checking runs nothing.
        #expect(fixture.record == [])
    }
}
