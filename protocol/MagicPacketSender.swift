#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sends a magic packet, the same code for the controller (waking from its own host) and
/// for the agent (relaying on the target's segment). Glibc sockets only.
///
/// - `sendFrame` puts a raw Ethernet frame (ethertype 0x0842, as `etherwake` does) on one
///   interface; it needs CAP_NET_RAW (root, or `setcap cap_net_raw+ep`).
/// - `sendDatagram` sends the payload as UDP to an IPv4 address (a segment's broadcast, a
///   directed broadcast of a remote segment, or a unicast address a router turns into
///   one), with SO_BROADCAST; it needs no privilege.
public enum MagicPacketSender {
    /// Why a packet could not be sent; `description` names the interface or address.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// No interface of that name in this network namespace.
        case noSuchInterface(String)
        /// Raw frames need CAP_NET_RAW (EPERM / EACCES from the kernel).
        case notPermitted(String)
        /// Not a dotted-quad IPv4 address, or a port outside 1-65535.
        case badDestination(String)
        /// A system call failed: which one, on what, and errno's words.
        case system(call: String, target: String, errno: Int32)

        public var description: String {
            switch self {
            case .noSuchInterface(let name):
                return "no network interface named '\(name)' on this host"
            case .notPermitted(let what):
                return "\(what): raw Ethernet frames need CAP_NET_RAW (run as root, or setcap cap_net_raw+ep on the binary), or send by UDP broadcast instead"
            case .badDestination(let what):
                return "'\(what)' is not a destination: give a dotted-quad IPv4 address and a port 1-65535"
            case let .system(call, target, code):
                return "\(call) for \(target) failed: \(String(cString: strerror(code)))"
            }
        }
    }

    /// Sends `packet` as a raw Ethernet frame on `interface`, from that interface's own MAC.
    /// - Parameter destination: the frame's destination; nil sends to ff:ff:ff:ff:ff:ff, which
    ///   every NIC on the segment sees even when switches have forgotten the sleeping one.
    /// - Returns: the bytes of the frame that was sent.
    @discardableResult
    public static func sendFrame(_ packet: MagicPacket, interface: String,
                                 destination: MACAddress? = nil) throws(Failure) -> [UInt8] {
        guard !interface.isEmpty, interface.utf8.count < Int(IF_NAMESIZE) else { throw .noSuchInterface(interface) }
        let index = if_nametoindex(interface)
        guard index != 0 else { throw .noSuchInterface(interface) }

        let protocolNumber = UInt16(MagicPacket.etherType).bigEndian
        let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(protocolNumber))
        guard fd >= 0 else { throw failure("socket(AF_PACKET)", interface, errno) }
        defer { close(fd) }

        let source = try hardwareAddress(of: interface, socket: fd)
        let frame = packet.ethernetFrame(source: source, destination: destination)

        let target = destination?.bytes ?? [UInt8](repeating: 0xFF, count: 6)
        let address = linkLayerAddress(interfaceIndex: Int32(index), protocolNumber: protocolNumber, destination: target)
        let sent = frame.withUnsafeBytes { buffer in
            address.withUnsafeBytes { raw in
                sendto(fd, buffer.baseAddress, buffer.count, 0, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                       socklen_t(raw.count))
            }
        }
        guard sent == frame.count else { throw failure("sendto", interface, sent < 0 ? errno : EMSGSIZE) }
        return frame
    }

    /// Sends the payload of `packet` by UDP to `address` on each of `ports`.
    public static func sendDatagram(_ packet: MagicPacket, to address: String, ports: [Int] = [9]) throws(Failure) {
        guard let quad = Patterns.ipv4Bytes(address) else { throw .badDestination(address) }
        guard !ports.isEmpty, ports.allSatisfy({ (1...65_535).contains($0) }) else {
            throw .badDestination("\(address) port \(ports.map(String.init).joined(separator: ","))")
        }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket(AF_INET)", address, errno) }
        defer { close(fd) }
        var enable: Int32 = 1
        guard setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &enable, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw failure("setsockopt(SO_BROADCAST)", address, errno)
        }
        let payload = packet.payload
        for port in ports {
            var destination = sockaddr_in()
            destination.sin_family = sa_family_t(AF_INET)
            destination.sin_port = UInt16(port).bigEndian
            withUnsafeMutableBytes(of: &destination.sin_addr) { bytes in
                for (offset, byte) in quad.enumerated() { bytes[offset] = byte }
            }
            let sent = payload.withUnsafeBytes { buffer in
                withUnsafePointer(to: &destination) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            guard sent == payload.count else { throw failure("sendto", "\(address):\(port)", sent < 0 ? errno : EMSGSIZE) }
        }
    }

    /// A `struct sockaddr_ll` (linux/if_packet.h, which Swift's Glibc module does not
    /// import), laid out by hand: family, protocol (network order), ifindex, hatype,
    /// pkttype, halen, addr[8]; 20 bytes.
    private static func linkLayerAddress(interfaceIndex: Int32, protocolNumber: UInt16, destination: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt16(AF_PACKET)) { bytes += $0 }
        withUnsafeBytes(of: protocolNumber) { bytes += $0 }
        withUnsafeBytes(of: interfaceIndex) { bytes += $0 }
        bytes += [0, 0]  // sll_hatype
        bytes += [0]  // sll_pkttype
        bytes += [UInt8(destination.count)]
        bytes += destination + [UInt8](repeating: 0, count: 8 - destination.count)
        return bytes
    }

    /// The interface's own MAC (SIOCGIFHWADDR), the frame's source address.
    private static func hardwareAddress(of interface: String, socket fd: Int32) throws(Failure) -> [UInt8] {
        var request = ifreq()
        withUnsafeMutableBytes(of: &request.ifr_ifrn.ifrn_name) { bytes in
            for (offset, byte) in interface.utf8.enumerated() { bytes[offset] = byte }
        }
        guard ioctl(fd, UInt(SIOCGIFHWADDR), &request) == 0 else { throw failure("ioctl(SIOCGIFHWADDR)", interface, errno) }
        return withUnsafeBytes(of: request.ifr_ifru.ifru_hwaddr.sa_data) { Array($0.prefix(6)) }
    }

    private static func failure(_ call: String, _ target: String, _ code: Int32) -> Failure {
        code == EPERM || code == EACCES ? .notPermitted("\(call) on \(target)") : .system(call: call, target: target, errno: code)
    }
}
