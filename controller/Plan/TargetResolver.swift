import PMProtocol

/// Turns the host words of a command line (`lab01`, `@rack1`, `node[01-64]`, `10.0.0.5`)
/// into execution hosts, in the order given, each once.
public struct TargetResolver: Sendable {
    public var inventory: Inventory
    public var overrides: LoginOverrides

    public init(inventory: Inventory, overrides: LoginOverrides = LoginOverrides()) {
        self.inventory = inventory
        self.overrides = overrides
    }

    /// The host names the words stand for; an empty result is an error, since `ALL` is
    /// never implicit (SEMANTICS.md, "Addressing").
    public func names(_ words: [String]) throws(PlanError) -> [String] {
        var names: [String] = []
        for word in words {
            if word.hasPrefix("@") {
                let group = String(word.dropFirst())
                guard let members = inventory.groups[group] else {
                    let known = inventory.groups.keys.sorted().map { "@" + $0 }
                    let hint = known.isEmpty ? "the inventory defines no groups" : "known groups: \(known.joined(separator: ", "))"
                    throw PlanError("unknown group '\(word)' (\(hint))")
                }
                names += members
                continue
            }
            let expanded: [String]
            do { expanded = try NodeSet.expand(word) } catch { throw PlanError("host '\(word)': \(error.reason)") }
            for name in expanded where !Patterns.isHostName(name) {
                throw PlanError("host '\(name)' is not a host name, IPv4 address, @group or node set like node[01-16]")
            }
            names += expanded
        }
        var seen: Set<String> = []
        names = names.filter { seen.insert($0).inserted }
        guard !names.isEmpty else {
            throw PlanError("no target hosts: name at least one host, @group or node set after the action (ALL is never implied)")
        }
        return names
    }

    /// The execution hosts the words stand for, login settings applied.
    public func resolve(_ words: [String]) throws(PlanError) -> [ResolvedHost] {
        try names(words).map(host)
    }

    /// One host by name: the inventory's entry with defaults, else a plain name/address.
    public func host(_ name: String) -> ResolvedHost {
        let entry = inventory.hosts[name]
        let defaults = inventory.defaults
        return ResolvedHost(
            name: name,
            address: entry?.address ?? name,
            user: overrides.user ?? entry?.user ?? defaults.user,
            port: overrides.port ?? entry?.port ?? defaults.port ?? 22,
            identity: overrides.identity ?? entry?.identity ?? defaults.identity,
            knownHosts: overrides.knownHosts ?? entry?.knownHosts ?? defaults.knownHosts,
            inInventory: entry != nil)
    }
}
