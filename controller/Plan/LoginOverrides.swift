/// SSH login settings from the command line (`--user`, `--port`, `--identity`,
/// `--known-hosts`); each one given wins over the inventory.
public struct LoginOverrides: Equatable, Sendable {
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
