import Foundation
import PMProtocol
import Testing

/// The seed's CANCEL lines S3–S10 (SEMANTICS.md) as the requests pmctl sends for them,
/// against a real `pmagent serve`, the libvirt test driver and recording fakes.
@Suite("CANCEL: the seed lines S3-S10")
struct CancelSeedTests {
    @Test("S3: POWEROFF:0 without SELF shuts down every running libvirt guest and leaves the host up")
    func poweroffWithoutSelfShutsDownGuestsOnly() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.libvirtNode([.running("tst100"), .running("tst001"), .paused("tst101"), .off("tst102")])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ s3 cancel label=tst100 method=poweroff delay=0")
        #expect(reply.steps == ["vm tst001 shutdown", "vm tst100 shutdown", "vm tst101 shutdown"])
        #expect(reply.allSatisfy { $0.kind != .step || $0["hypervisor"] == "libvirt" })
        #expect(reply.final?.kind == .ok)
        #expect(reply.final?["host"] == "lab01")

        // The host stays up: the agent keeps serving, and no tool ran at all.
        #expect(try agent.request("REQ p1 ping").final?.kind == .ok)
        #expect(try agent.finish() == 0)
        #expect(fixture.record == [])
    }

    @Test("S4: FORCE,POWEROFF:0 with -t xen powers the host off at once and lists its guests as abandoned")
    func forcedPoweroffAbandonsXenGuests() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.xenFake(running: ["tst100", "tst101"])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ s4 cancel label=tst100 method=poweroff delay=0 force=yes type=xen")
        #expect(reply.steps == ["vm tst100 abandoned", "vm tst101 abandoned", "notice lab01 sent", "host lab01 poweroff-accepted"])
        #expect(reply.final?.kind == .ok)
        // The result is out and the output closed before the host acts.
        #expect(try agent.outputEnds())
        #expect(try agent.finish() == 0)

        let record = fixture.waitForRecord { $0 == "poweroff" }
        #expect(record == ["xl list", "wall", "poweroff"])
        let notice = try String(contentsOfFile: fixture.root + "/wall.stdin", encoding: .utf8)
        #expect(notice.contains("lab01 will power off now"))
    }

    @Test("S5: POWEROFF,WOL with -t xen shuts the guests down and arms the first WoL-capable NIC; the host stays up")
    func poweroffWithWakeOnLanArmsFirstCapableInterface() throws {
        let namespace = try NetworkNamespace()
        try namespace.ip(["link", "add", "v0", "type", "veth", "peer", "name", "v1"])
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.xenFake(running: ["tst100"])
        try fixture.ethtoolFake(capable: ["v1"])
        let agent = try fixture.startAgent(in: namespace)

        let reply = try agent.request("REQ s5 cancel label=tst100 method=poweroff wol=yes type=xen")
        #expect(reply.steps == ["vm tst100 shutdown", "wol v1 armed"])
        #expect(reply.final?.kind == .ok)
        #expect(try agent.request("REQ p1 ping").final?.kind == .ok)
        #expect(try agent.finish() == 0)
        #expect(fixture.record == ["xl list", "xl shutdown tst100", "xl list", "ethtool v0", "ethtool v1", "ethtool -s v1 wol g"])
    }

    @Test("S6: WOL with BROADCAST arms a bridged NIC with its bridge taken down and back up, and shows the address")
    func wakeOnLanOnBridgedInterfaceTakesBridgeDownAndUp() throws {
        let namespace = try NetworkNamespace()
        try namespace.ip(["link", "add", "br0", "type", "bridge"])
        try namespace.ip(["link", "add", "v0", "type", "veth", "peer", "name", "v1"])
        try namespace.ip(["link", "set", "v0", "master", "br0"])
        try namespace.ip(["link", "set", "br0", "up"])
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.xenFake(running: ["tst100"])
        try fixture.ethtoolFake(capable: ["v0"])
        try fixture.ipWrapper()
        let agent = try fixture.startAgent(in: namespace)

        let reply = try agent.request("REQ s6 cancel label=tst100 method=poweroff wol=yes broadcast=192.168.3.255 type=xen")
        #expect(reply.steps == ["vm tst100 shutdown", "bridge br0 down", "wol v0 armed", "bridge br0 up"])
        #expect(reply.first { $0.stepTriple == "wol v0 armed" }?["broadcast"] == "192.168.3.255")
        #expect(reply.final?.kind == .ok)
        #expect(try agent.finish() == 0)
        #expect(fixture.record == [
            "xl list", "xl shutdown tst100", "xl list", "ethtool br0", "ethtool v0",
            "ip link set br0 down", "ethtool -s v0 wol g", "ip link set br0 up",
        ])
        // The bridge really is up again.
        let flags = try namespace.linkLine("br0").split(separator: "<").dropFirst().first?.split(separator: ">").first ?? ""
        #expect(flags.split(separator: ",").contains("UP"))
    }

    @Test("S7: REBOOT without SELF reboots the running guests and leaves the host up")
    func rebootWithoutSelfRebootsGuests() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.libvirtNode([.running("tst001"), .off("tst002")])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ s7 cancel label=tst001 method=reboot")
        #expect(reply.steps == ["vm tst001 rebooted"])
        #expect(reply.final?.kind == .ok)
        #expect(try agent.request("REQ p1 ping").final?.kind == .ok)
        #expect(try agent.finish() == 0)
        #expect(fixture.record == [])
    }

    @Test("S8: REBOOT,SELF shuts the guests down, then the host reboots after the notice")
    func rebootWithSelfShutsDownGuestsThenRebootsHost() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.libvirtNode([.running("tst001"), .running("tst002")])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ s8 cancel label=tst001 method=reboot self=yes delay=0")
        #expect(reply.steps == ["vm tst001 shutdown", "vm tst002 shutdown", "notice lab01 sent", "host lab01 reboot-accepted"])
        #expect(reply.final?.kind == .ok)
        #expect(try agent.outputEnds())
        #expect(fixture.waitForRecord { $0 == "reboot" } == ["wall", "reboot"])
    }

    @Test("S9: REBOOT,FORCE with -t xen reboots the host at once and abandons its guests")
    func forcedRebootAbandonsGuests() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.xenFake(running: ["tst100"])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ s9 cancel label=tst100 type=xen method=reboot force=yes delay=0")
        #expect(reply.steps == ["vm tst100 abandoned", "notice lab01 sent", "host lab01 reboot-accepted"])
        #expect(reply.final?.kind == .ok)
        #expect(try agent.outputEnds())
        #expect(fixture.waitForRecord { $0 == "reboot" } == ["xl list", "wall", "reboot"])
    }

    @Test("S10: INIT:0 shuts the guests down, then runs init 0 on the host")
    func initZeroShutsDownGuestsThenRunsInit() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.libvirtNode([.running("tst100"), .off("tst101")])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ s10 cancel label=tst100 method=init level=0 delay=0")
        #expect(reply.steps == ["vm tst100 shutdown", "notice lab01 sent", "host lab01 init-accepted"])
        #expect(reply.final?.kind == .ok)
        #expect(try agent.outputEnds())
        #expect(fixture.waitForRecord { $0.hasPrefix("init") } == ["wall", "init 0"])
    }
}
