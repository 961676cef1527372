/// An execution host ready to connect to: its name as the operator wrote it, where SSH
/// reaches it, and the login, with inventory defaults and command-line options applied.
public struct ResolvedHost: Equatable, Hashable, Sendable {
    public var name: String
    public var address: String
    public var user: String?
    public var port: Int
    public var identity: String?
    public var knownHosts: String?
    /// Whether the inventory knows this host (else it is a plain name or address).
    public var inInventory: Bool

    public init(name: String, address: String? = nil, user: String? = nil, port: Int = 22,
                identity: String? = nil, knownHosts: String? = nil, inInventory: Bool = false) {
        self.name = name
        self.address = address ?? name
        self.user = user
        self.port = port
        self.identity = identity
        self.knownHosts = knownHosts
        self.inInventory = inInventory
    }
}
