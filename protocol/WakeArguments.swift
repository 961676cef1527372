/// The arguments of `REQ <id> wake ...`: the agent sends a magic packet for the controller.
///
/// Wire keys: `mac` (required), then exactly one of `if` (a raw Ethernet frame on that
/// interface, needs CAP_NET_RAW) or `broadcast` (UDP to that IPv4 address); `ports`
/// (UDP ports, comma-separated, default 9); `secureon` (4 or 6 bytes as hex).
public struct WakeArguments: Equatable, Sendable {
    public enum Route: Equatable, Sendable {
        case interface(String)
        case broadcast(String)
    }

    public var mac: MACAddress
    public var route: Route
    public var ports: [Int] = [9]
    public var password: SecureOnPassword?

    public init(mac: MACAddress, route: Route, ports: [Int] = [9], password: SecureOnPassword? = nil) {
        self.mac = mac
        self.route = route
        self.ports = ports
        self.password = password
    }

    public init(_ fields: Fields) throws(ArgumentError) {
        var reader = ArgumentReader(fields)
        guard let macText = try reader.text("mac") else { throw ArgumentError(key: "mac", "is required") }
        do { mac = try MACAddress(parsing: macText) } catch { throw ArgumentError(key: "mac", error.description) }
        let interface = try reader.value("if", expected: "an interface name", { Patterns.isInterfaceName($0) ? $0 : nil })
        let broadcast = try reader.value("broadcast", expected: "an IPv4 address", { Patterns.isIPv4($0) ? $0 : nil })
        switch (interface, broadcast) {
        case let (interface?, nil): route = .interface(interface)
        case let (nil, broadcast?): route = .broadcast(broadcast)
        case (nil, nil): throw ArgumentError(key: "broadcast", "give either if (raw frame) or broadcast (UDP)")
        case (_?, _?): throw ArgumentError(key: "if", "give either if or broadcast, not both")
        }
        ports = try reader.value("ports", expected: "1 to 4 distinct UDP ports (1-65535) separated by commas", { text in
            let ports = text.split(separator: ",", omittingEmptySubsequences: false).map { Patterns.decimal(String($0)) }
            guard (1...4).contains(ports.count), ports.allSatisfy({ $0.map { (1...65_535).contains($0) } ?? false }) else { return nil }
            let numbers = ports.map { $0! }
            return Set(numbers).count == numbers.count ? numbers : nil
        }) ?? [9]
        if let text = try reader.text("secureon") {
            do { password = try SecureOnPassword(parsing: text) } catch { throw ArgumentError(key: "secureon", error.description) }
        }
        try reader.finish()
        if case .interface = route, fields["ports"] != nil {
            throw ArgumentError(key: "ports", "applies to broadcast (UDP) only")
        }
    }

    public var fields: Fields {
        var fields = Fields()
        fields.set("mac", mac.description)
        switch route {
        case .interface(let name): fields.set("if", name)
        case .broadcast(let address):
            fields.set("broadcast", address)
            fields.set("ports", ports.map(String.init).joined(separator: ","))
        }
        fields.set("secureon", password?.description)
        return fields
    }
}
