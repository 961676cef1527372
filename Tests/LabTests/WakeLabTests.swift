import Foundation
import Testing
import TestSupport

/// Wake-on-LAN with real packets in the lab: each way a magic packet can travel wakes a
/// host the lab switched off with WoL armed, and the test sees it come back through its
/// agent. lab01/lab03 sit on segment 1 with the controller, lab02/lab04 on segment 2.
@Suite struct WakeLabTests {
    @Test func aRawFrameFromTheControllerWakesAHostOnItsSegment() throws {
        try withLab { lab in
            try lab.armAndPowerOff("lab03")
            let run = try lab.pmctl(["--json", "wake", "lab03", "--interface", "eth0"])
            #expect(run.status == 0, "\(run.stderr)")
            let line = try #require(run.result("lab03"))
            #expect(line.stepTriples == ["wake lab03 sent", "wake lab03 up"], "\(line)")
            #expect(line.via == nil)
            #expect(lab.power("lab03") == "on")
            #expect(lab.events("lab03").contains { $0.contains("magic packet (raw): waking") })
        }
    }

    @Test func aUDPBroadcastFromTheControllerWakesAHostOnItsSegment() throws {
        try withLab { lab in
            try lab.armAndPowerOff("lab03")
            let run = try lab.pmctl(["--json", "wake", "lab03"])   // the inventory's broadcast 10.77.1.255
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.result("lab03")?.stepTriples == ["wake lab03 sent", "wake lab03 up"])
            #expect(lab.events("lab03").contains { $0.contains("magic packet (udp:9): waking") })
        }
    }

    @Test func aDirectedBroadcastCrossesTheRouterToTheOtherSegment() throws {
        try withLab { lab in
            try lab.armAndPowerOff("lab04")
            // No relay: the controller itself sends to segment 2's directed broadcast.
            let inventory = try lab.inventoryWithout(key: "relay")
            let run = try lab.pmctl(["--json", "--inventory", inventory, "wake", "lab04"])
            #expect(run.status == 0, "\(run.stderr)")
            let line = try #require(run.result("lab04"))
            #expect(line.via == nil)
            #expect(line.step("wake", "lab04")?["detail"] == "udp 10.77.2.255 port 9")
            #expect(lab.power("lab04") == "on")
        }
    }

    @Test func aRelayAgentOnTheTargetsSegmentSendsForTheController() throws {
        try withLab { lab in
            try lab.armAndPowerOff("lab04")
            let run = try lab.pmctl(["--json", "wake", "lab04"])   // inventory: relay lab01
            #expect(run.status == 0, "\(run.stderr)")
            let line = try #require(run.result("lab04"))
            #expect(line.via == "lab01")
            #expect(line.step("wake", "lab04")?["via"] == "lab01")
            #expect(line.step("wake", "lab04")?["mac"] == "02:77:00:00:00:04")
            #expect(lab.power("lab04") == "on")
        }
    }

    @Test func aHostOffWithoutWoLArmedStaysDownAndEndsTimeout() throws {
        try withLab { lab in
            try lab.press("lab02", "off")
            #expect(lab.wait(seconds: 5) { lab.power("lab02") == "off" && !lab.acceptsSSH("lab02") })
            let run = try lab.pmctl(["--json", "--timeout", "4", "wake", "lab02"])
            #expect(run.status == 1)
            let line = try #require(run.result("lab02"))
            #expect(line.outcome == "timeout")
            #expect(line.message.contains("last seen: no TCP answer"), "\(line.message)")
            #expect(lab.power("lab02") == "off")
            #expect(lab.events("lab02").contains { $0.contains("ignored: wol not armed") })
        }
    }

    @Test func aHostThatIsUpIsReportedAlreadyUpAndGetsNoPacket() throws {
        try withLab { lab in
            let run = try lab.pmctl(["--json", "wake", "lab03"])
            #expect(run.status == 0)
            #expect(run.result("lab03")?.stepTriples == ["wake lab03 already-up"])
            #expect(!lab.events("lab03").contains { $0.contains("magic packet") })
        }
    }

    @Test func thePacketOnTheWireHasTheRightBytesWithSecureOn() throws {
        try withLab { lab in
            try lab.armAndPowerOff("lab03")
            let capture = try lab.startCapture(in: "lab03", count: 1)
            let run = try lab.pmctl(["--json", "--timeout", "5", "wake", "lab03", "--interface", "eth0", "--secureon", "0a:0b:0c:0d:0e:0f"])
            #expect(run.status == 0, "\(run.stderr)")
            let seen = try capture.finish()
            // By hand: 6 x ff, then 02:77:00:00:00:03 sixteen times, then the password.
            let expected = "raw " + String(repeating: "ff", count: 6) + String(repeating: "027700000003", count: 16) + "0a0b0c0d0e0f"
            #expect(seen == [expected])
        }
    }

    @Test func learnStoresTheMACSoAHostCanBeWokenByNameAlone() throws {
        try withLab { lab in
            let learn = try lab.pmctl(["--json", "learn", "lab03"])
            #expect(learn.status == 0, "\(learn.stderr)")
            try lab.armAndPowerOff("lab03")
            // An inventory with no MACs: only what learn stored can name the NIC.
            let inventory = try lab.inventoryWithout(key: "mac")
            let run = try lab.pmctl(["--json", "--inventory", inventory, "wake", "lab03"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.result("lab03")?.step("wake", "lab03")?["mac"] == "02:77:00:00:00:03")
            #expect(lab.power("lab03") == "on")
            // Without learn's record the same wake is refused with the way out.
            let fresh = try lab.pmctl(["--json", "--state", lab.run + "/empty-state", "--inventory", inventory, "wake", "lab01"])
            #expect(fresh.result("lab01")?.outcome == "ok")   // lab01 is up: already-up needs no MAC
            try lab.armAndPowerOff("lab01")
            let refused = try lab.pmctl(["--json", "--state", lab.run + "/empty-state", "--inventory", inventory, "wake", "lab01"])
            #expect(refused.result("lab01")?.outcome == "refused")
            #expect(refused.result("lab01")?.message.contains("pmctl learn lab01") == true)
        }
    }
}
