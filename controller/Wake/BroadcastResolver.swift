import Foundation
import PMProtocol

/// Turns a `BROADCAST:` value into the IPv4 address to send to: an address as it is; a
/// name through the inventory (a host entry whose address is the broadcast, like the
/// seed's `hostXDirectedCast`), then DNS.
struct BroadcastResolver {
    let inventory: Inventory

    func resolve(_ value: String) throws(HostFailure) -> String {
        if Patterns.isIPv4(value) { return value }
        if let address = inventory[host: value]?.address, Patterns.isIPv4(address) { return address }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(value, nil, &hints, &list) == 0, let first = list else {
            throw HostFailure(.refused, "broadcast '\(value)' is neither an IPv4 address, nor an inventory host, nor a DNS name")
        }
        defer { freeaddrinfo(list) }
        var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
            var inAddress = address.pointee.sin_addr
            _ = inet_ntop(AF_INET, &inAddress, &buffer, socklen_t(INET_ADDRSTRLEN))
        }
        return String(cString: buffer)
    }
}
