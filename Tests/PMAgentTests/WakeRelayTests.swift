import Foundation
import PMProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// WAKE: the agent sends real magic packets, by UDP and as raw Ethernet frames, received
/// here on loopback.
@Suite("WAKE: the relay sends real magic packets")
struct WakeRelayTests {
    /// A UDP socket bound to 127.0.0.1 on a free port.
    final class UDPListener {
        let fd: Int32
        let port: Int

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            self.fd = fd
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            address.sin_port = 0
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                close(fd)
                throw AgentTestError("bind failed")
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        func receive(timeout: Double = 5) -> [UInt8]? { Self.receive(fd, timeout: timeout) }

        static func receive(_ fd: Int32, timeout: Double) -> [UInt8]? {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, Int32(timeout * 1000)) == 1 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 2048)
            let count = recv(fd, &buffer, buffer.count, 0)
            return count > 0 ? Array(buffer[0..<count]) : nil
        }

        deinit { close(fd) }
    }

    @Test("wake by broadcast sends the magic packet by UDP to each port, one step per packet")
    func udpWakeSendsPayloadToEachPort() throws {
        let first = try UDPListener()
        let second = try UDPListener()
        let fixture = try AgentFixture()
        let agent = try fixture.startAgent()

        let reply = try agent.request("REQ w1 wake mac=02-77-00-00-00-05 broadcast=127.0.0.1 ports=\(first.port),\(second.port) secureon=0a0b0c0d")
        #expect(reply.steps == ["wake 02:77:00:00:00:05 sent", "wake 02:77:00:00:00:05 sent"])
        #expect(reply.final?.kind == .ok)
        let expected = MagicPacket(target: try MACAddress(parsing: "02:77:00:00:00:05"),
                                   password: try SecureOnPassword(parsing: "0a0b0c0d")).payload
        #expect(first.receive() == expected)
        #expect(second.receive() == expected)
        #expect(try agent.finish() == 0)
    }

    @Test("wake on an interface sends a raw 0x0842 frame from that interface (on loopback)")
    func rawWakeSendsEthernetFrame() throws {
        // A packet socket for ethertype 0x0842, as a sleeping NIC's listener in the lab uses.
        let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), Int32(UInt16(0x0842).bigEndian))
        try #require(fd >= 0, "AF_PACKET needs root")
        defer { close(fd) }
        let fixture = try AgentFixture()
        let agent = try fixture.startAgent()
        let target = "02:77:00:00:\(String(format: "%02x", Int.random(in: 0...255))):\(String(format: "%02x", Int.random(in: 0...255)))"

        let reply = try agent.request("REQ w2 wake mac=\(target) if=lo")
        #expect(reply.steps == ["wake \(target) sent"])
        #expect(reply.final?.kind == .ok)
        #expect(try agent.finish() == 0)

        // lo's own MAC is all zeros: the frame's source. Skip frames of other senders.
        let packet = MagicPacket(target: try MACAddress(parsing: target))
        let expected = packet.ethernetFrame(source: [0, 0, 0, 0, 0, 0])
        var seen: [UInt8]?
        let deadline = Date().addingTimeInterval(5)
        while seen != expected, Date() < deadline {
            seen = UDPListener.receive(fd, timeout: 1)
        }
        #expect(seen == expected)
    }

    @Test("wake on an interface that does not exist is a bad argument naming if")
    func wakeOnMissingInterfaceIsBadArgument() throws {
        let fixture = try AgentFixture()
        let agent = try fixture.startAgent()
        let reply = try agent.request("REQ w3 wake mac=02:77:00:00:00:01 if=nosuch0")
        #expect(reply.final?.errorCode == .badArgument)
        #expect(reply.final?["key"] == "if")
        #expect(try agent.finish() == 0)
    }
}
