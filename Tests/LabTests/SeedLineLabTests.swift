import Foundation
import Testing
import TestSupport

/// Every seed line of SEMANTICS.md, run as written (pmctl for ctys) against a lab: real
/// namespaces, sshd, pmagent, the libvirt test driver, and recording fakes for the power
/// tools and xl. lab01's inventory lists lab03 as an agent-running guest (its stack).
@Suite struct SeedLineLabTests {
    let guests = ["lab01-vm1", "lab01-vm2"]
    let xenGuests = ["lab01-xen1", "lab01-xen2"]

    @Test func s3CancelsTheStackAndLeavesTheHostUp() throws {
        try withLab { lab in
            let run = try lab.pmctl(["--json", "-t", "pm", "-a", "cancel=1:tst100,POWEROFF:0", "lab01"])
            #expect(run.status == 0, "\(run.stderr)")
            let line = try #require(run.result("lab01"))
            #expect(line.outcome == "ok")
            // The agent-running guest goes first, through its own agent; then every guest of both hypervisors.
            #expect(line.stepTriples.first == "vm lab03 shutdown")
            for guest in guests + xenGuests { #expect(line.stepTriples.contains("vm \(guest) shutdown"), "\(line)") }
            #expect(!line.stepTriples.contains { $0.hasPrefix("host ") })
            #expect(lab.power("lab01") == "on")
            #expect(lab.power("lab03") == "off")
            #expect(lab.commands("lab03") == ["wall", "poweroff"])
            #expect(lab.commands("lab01").contains("xl shutdown lab01-xen1"))
            #expect(!lab.commands("lab01").contains { ["poweroff", "reboot", "halt"].contains($0) || $0.hasPrefix("init") })
        }
    }

    @Test func s4ForcePowersTheHostOffAtOnceAndAbandonsItsGuests() throws {
        try withLab { lab in
            let run = try lab.pmctl(["--json", "-t", "xen", "-a", "cancel=1:tst100,force,POWEROFF:0", "lab01"])
            #expect(run.status == 0, "\(run.stderr)")
            let line = try #require(run.result("lab01"))
            for guest in xenGuests { #expect(line.stepTriples.contains("vm \(guest) abandoned"), "\(line)") }
            #expect(line.stepTriples.suffix(2) == ["host lab01 poweroff-accepted", "confirm lab01 down"], "\(line)")
            #expect(lab.power("lab01") == "off")
            // No stack propagation: the agent-running guest is not asked, no guest is shut down.
            #expect(lab.power("lab03") == "on")
            #expect(lab.commands("lab03").isEmpty)
            #expect(lab.commands("lab01") == ["xl list", "wall", "poweroff"])
        }
    }

    @Test func s5ShutsTheGuestsDownAndArmsWoLWithTheHostLeftUp() throws {
        try withLab { lab in
            let run = try lab.pmctl(["--json", "-t", "xen", "-a", "cancel=1:tst100,POWEROFF,wol", "lab01"])
            #expect(run.status == 0, "\(run.stderr)")
            let line = try #require(run.result("lab01"))
            for guest in xenGuests { #expect(line.stepTriples.contains("vm \(guest) shutdown"), "\(line)") }
            #expect(line.stepTriples.contains("wol eth0 armed"))
            #expect(lab.power("lab01") == "on")
            #expect(lab.wol("lab01") == "g")
            #expect(lab.commands("lab01").contains("ethtool -s eth0 wol g"))
        }
    }

    @Test func s6AlsoStoresTheBroadcastAsTheWakeAddress() throws {
        try withLab { lab in
            let run = try lab.pmctl(["--json", "-t", "xen", "-a", "cancel=1:tst100,POWEROFF,wol,broadcast:192.168.3.255", "lab01"])
            #expect(run.status == 0, "\(run.stderr)")
            let line = try #require(run.result("lab01"))
            #expect(line.step("wol", "eth0")?["broadcast"] == "192.168.3.255")
            #expect(lab.wol("lab01") == "g")
            // Stored: a wake by name uses it (a dry run shows the packet's route without sending).
            let plan = try lab.pmctl(["--dry-run", "wake", "lab01", "--inventory", try lab.inventoryWithout(key: "broadcast")])
            #expect(plan.stdout.contains("192.168.3.255"), "\(plan.stdout)\(plan.stderr)")
        }
    }

    @Test func s7RebootsTheGuestsAndLeavesTheHostUp() throws {
        try withLab { lab in
            let bootBefore = lab.bootID("lab01")
            let run = try lab.pmctl(["--json", "-t", "pm", "-a", "cancel=1:tst001,REBOOT", "lab01"])
            #expect(run.status == 0, "\(run.stderr)")
            let line = try #require(run.result("lab01"))
            for guest in ["lab03"] + guests + xenGuests { #expect(line.stepTriples.contains("vm \(guest) rebooted"), "\(line)") }
            #expect(lab.commands("lab01").contains("xl reboot lab01-xen1"))
            #expect(lab.power("lab01") == "on")
            #expect(lab.bootID("lab01") == bootBefore)
            // lab03 reboots through its own agent, at once (the delay is the execution host's only).
            #expect(lab.wait(seconds: 10) { lab.commands("lab03").contains("reboot") })
        }
    }

    @Test func s8ShutsTheGuestsDownThenRebootsTheHostWithANewBootID() throws {
        try withLab { lab in
            let bootBefore = lab.bootID("lab01")
            let run = try lab.pmctl(["--json", "-t", "pm", "-a", "cancel=1:tst001,REBOOT,SELF", "lab01"])
            #expect(run.status == 0, "\(run.stderr)")
            let line = try #require(run.result("lab01"))
            for guest in guests + xenGuests { #expect(line.stepTriples.contains("vm \(guest) shutdown"), "\(line)") }
            #expect(line.stepTriples.suffix(2) == ["host lab01 reboot-accepted", "confirm lab01 up-new-boot"], "\(line)")
            #expect(line.step("notice", "lab01")?["delay"] == "30")
            #expect(lab.bootID("lab01") != bootBefore)
            #expect(lab.power("lab01") == "on")
            #expect(lab.commands("lab01").suffix(2) == ["wall", "reboot"])
        }
    }

    @Test func s9RebootsTheHostAtOnceAndAbandonsItsGuests() throws {
        try withLab { lab in
            let bootBefore = lab.bootID("lab01")
            let started = Date()
            let run = try lab.pmctl(["--json", "-t", "xen", "-a", "cancel=1:tst100,REBOOT,FORCE", "lab01"])
            #expect(run.status == 0, "\(run.stderr)")
            let line = try #require(run.result("lab01"))
            for guest in xenGuests { #expect(line.stepTriples.contains("vm \(guest) abandoned"), "\(line)") }
            #expect(line.stepTriples.suffix(2) == ["host lab01 reboot-accepted", "confirm lab01 up-new-boot"], "\(line)")
            #expect(line.step("host", "lab01")?["delay"] == "0")
            #expect(Date().timeIntervalSince(started) < 25, "at once, not after the 30 s notice")
            #expect(lab.bootID("lab01") != bootBefore)
            #expect(lab.commands("lab01") == ["xl list", "wall", "reboot"])
            #expect(lab.commands("lab03").isEmpty)
        }
    }

    @Test func s10ShutsTheGuestsDownThenRunsInit0() throws {
        try withLab { lab in
            let run = try lab.pmctl(["--json", "-t", "PM", "-a", "cancel=1:tst100,INIT:0", "lab01"])
            #expect(run.status == 0, "\(run.stderr)")
            let line = try #require(run.result("lab01"))
            #expect(line.stepTriples.first == "vm lab03 shutdown")
            for guest in guests + xenGuests { #expect(line.stepTriples.contains("vm \(guest) shutdown"), "\(line)") }
            #expect(line.stepTriples.suffix(2) == ["host lab01 init-accepted", "confirm lab01 down"], "\(line)")
            #expect(lab.commands("lab01").suffix(2) == ["wall", "init 0"])
            #expect(lab.power("lab01") == "off")
        }
    }

    @Test func s1WakesHostXThroughLab01ByDirectedBroadcast() throws {
        try withLab { lab in
            // hostX is lab02, on the other segment; hostXDirectedCast names its segment's
            // directed broadcast in the lab's inventory; lab01 sends, the router forwards.
            try lab.armAndPowerOff("lab02")
            let run = try lab.pmctl(["--json", "-t", "pm", "-a", "create=wol,t:hostX,broadcast:hostXDirectedCast", "lab01"])
            #expect(run.status == 0, "\(run.stderr)")
            let line = try #require(run.result("hostX"))
            #expect(line.outcome == "ok")
            #expect(line.via == "lab01")
            #expect(line.stepTriples == ["wake hostX sent", "wake hostX up"], "\(line)")
            #expect(line.step("wake", "hostX")?["detail"]?.contains("10.77.2.255") == true, "\(line)")
            #expect(lab.power("lab02") == "on")
            #expect(lab.events("lab02").contains { $0.contains("magic packet (udp:9): waking") })
        }
    }

    @Test func statusOfTheWholeLabIsOk() throws {
        try withLab(hosts: 6) { lab in
            let run = try lab.pmctl(["--json", "status", "lab[01-06]"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.results.map(\.host).sorted() == (1...6).map(lab.name))
            #expect(run.results.allSatisfy { $0.outcome == "ok" })
        }
    }
}
