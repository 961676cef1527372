/// The login `agent install` uses on a host: root, or whoever the command line or the
/// inventory's console login names (it must turn out to be root). Never the agent's
/// forced-command key.
public struct AdminLogin: Equatable, Sendable {
    public var user: String
    /// nil: ssh-agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa.
    public var identity: String?

    public init(user: String = "root", identity: String? = nil) {
        self.user = user
        self.identity = identity
    }

    /// `--admin-user`/`--admin-identity` first, then the host's `console_user` /
    /// `console_identity`, then root with the default keys.
    public static func resolve(user: String?, identity: String?, entry: HostEntry?) -> AdminLogin {
        AdminLogin(user: user ?? entry?.consoleUser ?? "root", identity: identity ?? entry?.consoleIdentity)
    }
}
