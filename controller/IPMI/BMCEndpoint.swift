/// Where a host's BMC answers and how to log in to it (the inventory's `ipmi:` entry).
/// The password never lives here: only the file that holds it.
public struct BMCEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: String
    public var port: Int
    public var user: String
    /// A file whose first line is the password (`ipmitool -f`); nil: `PMCTL_IPMI_PASSWORD`.
    public var passwordFile: String?
    /// The RMCP+ cipher suite (`ipmitool -C`); 3 is what most BMCs and ipmi_sim take.
    public var cipherSuite: Int
    /// The host whose agent runs ipmitool, for a BMC only its segment reaches; nil: this host.
    public var relay: String?

    public init(address: String, port: Int = 623, user: String, passwordFile: String? = nil, cipherSuite: Int = 3,
                relay: String? = nil) {
        self.address = address
        self.port = port
        self.user = user
        self.passwordFile = passwordFile
        self.cipherSuite = cipherSuite
        self.relay = relay
    }

    /// The inventory's `ipmi:` entry; a BMC with no user named gets `ADMIN`, the common default.
    public init(_ entry: IPMIEntry) {
        self.init(address: entry.address, port: entry.port, user: entry.user ?? "ADMIN", passwordFile: entry.passwordFile,
                  cipherSuite: entry.cipher, relay: entry.relay)
    }

    public var description: String { port == 623 ? address : "\(address):\(port)" }
}
