/// The inventory's `defaults:`: what every host gets unless it sets its own.
public struct HostDefaults: Equatable, Sendable {
    public var user: String?
    public var port: Int?
    public var identity: String?
    public var knownHosts: String?

    public init(user: String? = nil, port: Int? = nil, identity: String? = nil, knownHosts: String? = nil) {
        self.user = user
        self.port = port
        self.identity = identity
        self.knownHosts = knownHosts
    }
}
