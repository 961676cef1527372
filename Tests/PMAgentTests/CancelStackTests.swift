import Foundation
import PMProtocol
import Testing

/// CANCEL beyond the seed lines: guests that ignore shutdown, one selected guest, missing
/// tools, the delay before the host acts, PAUSE/SUSPEND.
@Suite("CANCEL: the guest stack and the host action")
struct CancelStackTests {
    @Test("A Xen guest that ignores shutdown is destroyed after TIMEOUT and reported forced")
    func xenGuestIgnoringShutdownIsForcedAfterTimeout() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.xenFake(running: ["tst100", "tst200"], ignoring: ["tst200"])
        let agent = try fixture.startAgent()

        let started = Date()
        let reply = try agent.request("REQ t1 cancel type=xen timeout=1")
        let elapsed = Date().timeIntervalSince(started)
        #expect(reply.steps == ["vm tst100 shutdown", "vm tst200 forced"])
        #expect(reply.first { $0.stepTriple == "vm tst200 forced" }?["detail"]?.contains("still running after 1 s") == true)
        #expect(reply.final?.kind == .ok)
        #expect(elapsed >= 0.9)
        let record = fixture.record
        #expect(record.prefix(3) == ["xl list", "xl shutdown tst100", "xl shutdown tst200"])
        #expect(record.last == "xl destroy tst200")
        #expect(record.filter { $0.hasPrefix("xl destroy") } == ["xl destroy tst200"])
        #expect(try agent.finish() == 0)
    }

    @Test("A libvirt guest that comes straight back after shutdown (on_poweroff=restart) is destroyed after TIMEOUT")
    func libvirtGuestRestartingAfterShutdownIsForced() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.libvirtNode([.running("tst100"), .stubborn("tst300")])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ t2 cancel type=libvirt timeout=1")
        #expect(reply.steps == ["vm tst100 shutdown", "vm tst300 forced"])
        #expect(reply.final?.kind == .ok)
        #expect(try agent.finish() == 0)
        #expect(fixture.record == [])
    }

    @Test("SELF waits for a forced guest before the host acts")
    func hostActsOnlyAfterGuestsAreDown() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.xenFake(running: ["tst200"], ignoring: ["tst200"])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ t3 cancel type=xen timeout=1 self=yes delay=0")
        #expect(reply.steps == ["vm tst200 forced", "notice lab01 sent", "host lab01 poweroff-accepted"])
        let record = fixture.waitForRecord { $0 == "poweroff" }
        #expect(record.prefix(2) == ["xl list", "xl shutdown tst200"])
        // Polled while waiting, then destroyed, and only then the notice and the action.
        #expect(record.dropFirst(2).dropLast(3).allSatisfy { $0 == "xl list" })
        #expect(record.dropLast(2).last == "xl destroy tst200")
        #expect(record.suffix(2) == ["wall", "poweroff"])
    }

    @Test("One guest selected with vm= and FORCE is destroyed; the others and the host are left alone")
    func selectedGuestWithForceIsDestroyed() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.xenFake(running: ["tst100", "tst101"])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ t4 cancel type=xen vm=tst101 force=yes")
        #expect(reply.steps == ["vm tst101 destroyed"])
        #expect(reply.final?.kind == .ok)
        #expect(try agent.request("REQ p ping").final?.kind == .ok)
        #expect(try agent.finish() == 0)
        #expect(fixture.record == ["xl list", "xl list", "xl destroy tst101"])
    }

    @Test("A selected guest that is already off is reported already-off; an unknown one is a bad argument and nothing runs")
    func selectedGuestStates() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.libvirtNode([.running("tst100"), .off("tst102")])
        let agent = try fixture.startAgent()

        #expect(try agent.request("REQ t5 cancel type=libvirt vm=tst102").steps == ["vm tst102 already-off"])
        let unknown = try agent.request("REQ t6 cancel type=libvirt vm=nosuch")
        #expect(unknown.count == 1)
        #expect(unknown.final?.errorCode == .badArgument)
        #expect(unknown.final?["key"] == "vm")
        #expect(try agent.finish() == 0)
        #expect(fixture.record == [])
    }

    @Test("-t xen on a host without xl or xm ends tool-missing naming xl, and nothing runs")
    func xenTypeWithoutXenToolsIsToolMissing() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ m1 cancel type=xen self=yes delay=0")
        #expect(reply.count == 1)
        #expect(reply.final?.errorCode == .toolMissing)
        #expect(reply.final?["tool"] == "xl")
        #expect(try agent.request("REQ p ping").final?.kind == .ok)
        #expect(try agent.finish() == 0)
        #expect(fixture.record == [])
    }

    @Test("SELF on a host without poweroff, systemctl or shutdown ends tool-missing before any guest is touched")
    func selfWithoutPowerToolsIsToolMissingBeforeGuests() throws {
        let fixture = try AgentFixture()
        try fixture.xenFake(running: ["tst100"])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ m2 cancel type=xen self=yes delay=0")
        #expect(reply.count == 1)
        #expect(reply.final?.errorCode == .toolMissing)
        #expect(reply.final?["tool"] == "poweroff")
        #expect(try agent.finish() == 0)
        #expect(fixture.record == [])
    }

    @Test("-t xm uses xm for the stack")
    func xmTypeUsesXm() throws {
        let fixture = try AgentFixture()
        try fixture.xenFake(running: ["old1"], name: "xm")
        let agent = try fixture.startAgent()

        #expect(try agent.request("REQ x1 cancel type=xm").steps == ["vm old1 shutdown"])
        #expect(try agent.finish() == 0)
        #expect(fixture.record == ["xm list", "xm shutdown old1", "xm list"])
    }

    @Test("The delay is the time between the notice and the host's action; the reply comes at once")
    func delayHoldsTheHostActionBack() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.libvirtNode([])
        let agent = try fixture.startAgent()

        let sent = Date()
        let reply = try agent.request("REQ d1 cancel type=libvirt self=yes delay=3")
        #expect(Date().timeIntervalSince(sent) < 2)
        #expect(reply.steps == ["notice lab01 sent", "host lab01 poweroff-accepted"])
        #expect(reply.first { $0.stepTriple == "notice lab01 sent" }?["delay"] == "3")
        #expect(try agent.outputEnds())
        usleep(1_500_000)
        #expect(!fixture.record.contains("poweroff"))
        let record = fixture.waitForRecord { $0 == "poweroff" }
        #expect(record == ["wall", "poweroff"])
        #expect(Date().timeIntervalSince(sent) >= 2.9)
        let notice = try String(contentsOfFile: fixture.root + "/wall.stdin", encoding: .utf8)
        #expect(notice.contains("in 3 seconds"))
    }

    @Test("PAUSE,SELF suspends to RAM through systemctl when /sys/power/state offers mem and systemd runs, with WoL armed")
    func pauseSuspendsToRAM() throws {
        let namespace = try NetworkNamespace()
        try namespace.ip(["link", "add", "v0", "type", "veth", "peer", "name", "v1"])
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.ethtoolFake(capable: ["v0"], armed: ["v0"])
        try fixture.libvirtNode([.running("tst100")])
        try FileManager.default.createDirectory(atPath: fixture.sysroot + "/run/systemd/system", withIntermediateDirectories: true)
        let agent = try fixture.startAgent(in: namespace)

        let reply = try agent.request("REQ z1 cancel type=libvirt method=pause self=yes delay=0")
        #expect(reply.steps == ["vm tst100 shutdown", "wol v0 already-armed", "notice lab01 sent", "host lab01 suspend-accepted"])
        #expect(fixture.waitForRecord { $0.hasPrefix("systemctl") } == ["ethtool v0", "wall", "systemctl suspend"])
    }

    @Test("SUSPEND,SELF where /sys/power/state offers no disk powers off with WoL armed, and says so")
    func suspendFallsBackToPoweroffWithWakeOnLan() throws {
        let namespace = try NetworkNamespace()
        try namespace.ip(["link", "add", "v0", "type", "veth", "peer", "name", "v1"])
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.ethtoolFake(capable: ["v0"])
        try fixture.libvirtNode([])
        try fixture.write("freeze mem\n", to: fixture.sysroot + "/sys/power/state")
        let agent = try fixture.startAgent(in: namespace)

        let reply = try agent.request("REQ z2 cancel type=libvirt method=suspend self=yes delay=0")
        #expect(reply.steps == ["wol v0 armed", "notice lab01 sent", "host lab01 poweroff-accepted"])
        #expect(reply.first { $0.stepTriple == "host lab01 poweroff-accepted" }?["detail"]?.contains("offers no disk") == true)
        #expect(fixture.waitForRecord { $0 == "poweroff" } == ["ethtool v0", "ethtool -s v0 wol g", "wall", "poweroff"])
    }

    @Test("WOL that cannot be armed keeps the host up and ends with an error")
    func unarmableWakeOnLanKeepsHostUp() throws {
        let namespace = try NetworkNamespace()
        try namespace.ip(["link", "add", "v0", "type", "veth", "peer", "name", "v1"])
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.ethtoolFake(capable: [])
        try fixture.libvirtNode([])
        let agent = try fixture.startAgent(in: namespace)

        let reply = try agent.request("REQ w1 cancel type=libvirt wol=yes if=v0 self=yes delay=0")
        #expect(reply.steps == ["wol v0 unsupported"])
        #expect(reply.final?.errorCode == .toolFailed)
        #expect(try agent.request("REQ p ping").final?.kind == .ok)
        #expect(try agent.finish() == 0)
        #expect(fixture.record == ["ethtool v0"])
    }

    @Test("Guests the controller already cancelled through their own agents get no call, but are waited for and forced")
    func handledGuestsAreWaitedForNotCalled() throws {
        let fixture = try AgentFixture()
        try fixture.xenFake(running: ["tst100", "tst101"])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ h1 cancel type=xen handled=tst100 timeout=1")
        #expect(reply.steps == ["vm tst101 shutdown", "vm tst100 forced"])
        #expect(reply.final?.kind == .ok)
        #expect(try agent.finish() == 0)
        #expect(!fixture.record.contains("xl shutdown tst100"))
        #expect(fixture.record.contains("xl shutdown tst101"))
        #expect(fixture.record.last == "xl destroy tst100")
    }

    @Test("REBOOT without SELF leaves guests the controller already rebooted alone")
    func handledGuestsAreNotRebootedTwice() throws {
        let fixture = try AgentFixture()
        try fixture.xenFake(running: ["tst100", "tst101"])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ rb cancel type=xen method=reboot handled=tst100")
        #expect(reply.steps == ["vm tst101 rebooted"])
        #expect(reply.final?.kind == .ok)
        #expect(!fixture.record.contains("xl reboot tst100"))
        #expect(fixture.record.contains("xl reboot tst101"))
    }

    @Test("INIT:3 leaves the guests alone and runs init 3 on the host")
    func initThreeLeavesGuestsAlone() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.xenFake(running: ["tst100"])
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ i3 cancel type=xen method=init level=3 delay=0")
        #expect(reply.steps == ["notice lab01 sent", "host lab01 init-accepted"])
        #expect(fixture.waitForRecord { $0.hasPrefix("init") } == ["wall", "init 3"])
    }
}
