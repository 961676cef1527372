import Glibc
import PMProtocol

/// Sockets that see magic packets in this namespace: a raw AF_PACKET socket for ethertype
/// 0x0842 on one interface, and UDP sockets on ports 9 and 7.
struct WakeListener {
    enum Source: CustomStringConvertible {
        case raw
        case udp(port: UInt16)
        var description: String {
            switch self {
            case .raw: "raw"
            case .udp(let port): "udp:\(port)"
            }
        }
    }

    private(set) var descriptors: [(fd: Int32, source: Source)] = []

    init(interface: String) {
        let index = if_nametoindex(interface)
        let raw = socket(AF_PACKET, Int32(SOCK_DGRAM.rawValue), Int32(UInt16(0x0842).bigEndian))
        if raw >= 0 && index > 0 {
            // struct sockaddr_ll (linux/if_packet.h, which Glibc's module map leaves out):
            // family u16, protocol u16 (network order), ifindex i32, hatype u16, pkttype u8,
            // halen u8, addr [8]u8: 20 bytes.
            var address = [UInt8](repeating: 0, count: 20)
            withUnsafeBytes(of: UInt16(AF_PACKET)) { address.replaceSubrange(0..<2, with: $0) }
            withUnsafeBytes(of: UInt16(0x0842).bigEndian) { address.replaceSubrange(2..<4, with: $0) }
            withUnsafeBytes(of: Int32(index)) { address.replaceSubrange(4..<8, with: $0) }
            let bound = address.withUnsafeBytes {
                bind(raw, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(20))
            }
            if bound == 0 { descriptors.append((raw, .raw)) } else { close(raw) }
        } else {
            printError("pmlab: no raw socket on \(interface): \(String(cString: strerror(errno)))")
        }
        for port: UInt16 in [9, 7] {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = INADDR_ANY
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound == 0 { descriptors.append((fd, .udp(port: port))) } else { close(fd) }
        }
    }

    /// Reads one datagram from `fd` (ready per poll); its payload.
    static func read(_ fd: Int32) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? Array(buffer.prefix(count)) : []
    }
}
