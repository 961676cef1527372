/// How to log in to a host over SSH: user, port, key and known_hosts, each optional.
/// The same settings come from three places, most specific first: the command line
/// (`--user`, `--port`, `--identity`, `--known-hosts`), the host's inventory entry, and the
/// inventory's `defaults:`.
public struct LoginSettings: Equatable, Sendable {
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

/// The inventory's `defaults:`: what every host gets unless it sets its own.
public typealias HostDefaults = LoginSettings

/// The command line's login options; each one given wins over the inventory.
public typealias LoginOverrides = LoginSettings
