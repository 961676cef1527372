#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PMProtocol

/// One network interface of the agent's network namespace, from `/sys/class/net` (always
/// the real one: CONTRACT.md keeps interfaces out of the sysroot) and `getifaddrs`.
struct NetworkInterface: Equatable, Sendable {
    var name: String
    var mac: String
    /// The bridge (or bond) it is enslaved to, from `/sys/class/net/NAME/master`.
    var master: String?
    var isLoopback: Bool
    /// IPv4 addresses with their prefix length: `10.77.0.11/24`.
    var ipv4: [String]

    static let classDirectory = "/sys/class/net"

    /// Every interface whose name the agent can safely pass to a tool, sorted by name.
    /// Names outside `Patterns.isInterfaceName` are left out rather than passed on.
    static func all() -> [NetworkInterface] {
        let addresses = ipv4Addresses()
        return SystemFiles.listDirectory(classDirectory).filter(Patterns.isInterfaceName).map { name in
            let base = "\(classDirectory)/\(name)"
            let mac = SystemFiles.readFile("\(base)/address")?.trimmingSpaces ?? ""
            let type = SystemFiles.readFile("\(base)/type")?.trimmingSpaces
            return NetworkInterface(
                name: name, mac: mac, master: master(of: name),
                isLoopback: type == "772" || name == "lo", ipv4: addresses[name] ?? [])
        }
    }

    /// Whether an interface of that name exists here.
    static func exists(_ name: String) -> Bool {
        access("\(classDirectory)/\(name)", F_OK) == 0
    }

    /// The bridge `name` is enslaved to, if any.
    static func master(of name: String) -> String? {
        guard let target = SystemFiles.readLink("\(classDirectory)/\(name)/master"),
              let last = target.split(separator: "/").last.map(String.init), Patterns.isInterfaceName(last)
        else { return nil }
        return last
    }

    private static func ipv4Addresses() -> [String: [String]] {
        var first: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&first) == 0 else { return [:] }
        defer { freeifaddrs(first) }
        var result: [String: [String]] = [:]
        var cursor = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                  let namePointer = entry.pointee.ifa_name
            else { continue }
            let name = String(cString: namePointer)
            let ip = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            var prefix = 0
            if let mask = entry.pointee.ifa_netmask {
                let bits = mask.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                prefix = bits.nonzeroBitCount
            }
            // s_addr is in network byte order: its bytes in memory are the dotted quad.
            let quad = withUnsafeBytes(of: ip) { $0.map(String.init).joined(separator: ".") }
            result[name, default: []].append("\(quad)/\(prefix)")
        }
        return result
    }
}
