/// What is wrong with a server's host key, with everything needed to fix it.
public struct HostKeyProblem: Equatable, Sendable {
    /// The host as the connection named it.
    public var host: String
    public var port: Int
    /// The key type the server presented, as OpenSSH spells it (`ssh-ed25519`).
    public var keyType: String
    /// The presented key's fingerprint as OpenSSH prints it: `SHA256:` and unpadded base64.
    public var fingerprint: String
    /// The known_hosts file that was consulted.
    public var knownHostsPath: String
    /// For a changed key: the 1-based line of the entry that holds the old key, when found.
    public var line: Int?

    public init(host: String, port: Int, keyType: String, fingerprint: String, knownHostsPath: String, line: Int? = nil) {
        self.host = host
        self.port = port
        self.keyType = keyType
        self.fingerprint = fingerprint
        self.knownHostsPath = knownHostsPath
        self.line = line
    }

    /// The name known_hosts uses for this host: `host` on port 22, `[host]:port` otherwise.
    public var knownHostsName: String { KnownHosts.entryName(host: host, port: port) }

    /// The short type name `ssh-keyscan -t` takes (`ed25519`, `ecdsa`, `rsa`).
    var keyscanType: String {
        switch keyType {
        case "ssh-ed25519": return "ed25519"
        case let type where type.hasPrefix("ecdsa-"): return "ecdsa"
        case "ssh-rsa": return "rsa"
        default: return keyType
        }
    }

    private var keyscanCommand: String {
        let portOption = port == 22 ? "" : "-p \(port) "
        return "ssh-keyscan \(portOption)-t \(keyscanType) \(host) >> \(knownHostsPath)"
    }

    var unknownDescription: String {
        "host key of \(knownHostsName) is not in \(knownHostsPath) (server offers \(keyType) \(fingerprint)). "
            + "Verify the fingerprint out of band, then add it with: \(keyscanCommand)"
    }

    var changedDescription: String {
        let location = line.map { "\(knownHostsPath) line \($0)" } ?? knownHostsPath
        let remove = "ssh-keygen -R '\(knownHostsName)' -f \(knownHostsPath)"
        return "host key of \(knownHostsName) CHANGED: the server now offers \(keyType) \(fingerprint), "
            + "which does not match \(location). Someone may be intercepting the connection. "
            + "If the host was reinstalled, verify the new fingerprint, then run: \(remove) && \(keyscanCommand)"
    }
}
