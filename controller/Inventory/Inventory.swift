/// The operator's inventory: defaults, hosts and groups. `Inventory.empty` stands in when
/// there is no file: plain host names and addresses still work.
public struct Inventory: Equatable, Sendable {
    /// The file it came from, as named; nil for the empty inventory.
    public var file: String?
    public var defaults = HostDefaults()
    /// Hosts by name.
    public var hosts: [String: HostEntry] = [:]
    /// Host names in file order.
    public var hostNames: [String] = []
    /// Groups by name, members expanded to host names (node sets and `@group`s resolved).
    public var groups: [String: [String]] = [:]

    public init(file: String? = nil) {
        self.file = file
    }

    public static let empty = Inventory()

    public subscript(host name: String) -> HostEntry? { hosts[name] }

    /// The agent-running guests of `name` that are inventory hosts themselves, deepest
    /// first: a guest's own guests come before it (the order a stack goes down in).
    public func agentGuests(of name: String) -> [String] {
        var order: [String] = []
        var visiting: Set<String> = [name]
        func visit(_ host: String) {
            for guest in hosts[host]?.vms ?? [] where hosts[guest] != nil && !visiting.contains(guest) {
                visiting.insert(guest)
                visit(guest)
                order.append(guest)
            }
        }
        visit(name)
        return order
    }
}
