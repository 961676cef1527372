import CLibSSH2
import Foundation
import Glibc

/// Where and as whom to log in, checked strictly before anything is sent.
public struct SSHTarget: Sendable, Equatable {
    /// A DNS name (letters, digits, `-`, `.`), an IPv4 address, or an IPv6 address
    /// (with or without brackets).
    public let host: String
    public let port: Int
    public let user: String
    /// The private key to offer; nil means `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa` in that order.
    public let identity: String?
    /// The known_hosts file the host key must be in.
    public let knownHosts: String
    /// The ssh-agent socket to try first; nil means no agent.
    public let agentSocket: String?
    /// Used by `SSHSession.connect` when no deadline is given: covers TCP connect,
    /// handshake and authentication together.
    public let connectTimeout: Duration

    /// - Parameters:
    ///   - agentSocket: defaults to `$SSH_AUTH_SOCK`.
    /// - Throws: `SSHError.invalidTarget` naming the field that is wrong.
    public init(
        host: String, port: Int = 22, user: String, identity: String? = nil, knownHosts: String,
        agentSocket: String? = ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"],
        connectTimeout: Duration = .seconds(10)
    ) throws(SSHError) {
        self.host = try Self.checkedHost(host)
        guard (1...65535).contains(port) else { throw .invalidTarget("port \(port) is not in 1...65535") }
        self.port = port
        self.user = try Self.checkedUser(user)
        if let identity, identity.isEmpty || identity.contains("\0") {
            throw .invalidTarget("identity path '\(identity)' is empty or contains NUL")
        }
        self.identity = identity
        guard !knownHosts.isEmpty, !knownHosts.contains("\0") else {
            throw .invalidTarget("known_hosts path is empty or contains NUL")
        }
        self.knownHosts = knownHosts
        self.agentSocket = agentSocket.flatMap { $0.isEmpty || $0.contains("\0") ? nil : $0 }
        guard connectTimeout > .zero else { throw .invalidTarget("connect timeout must be positive") }
        self.connectTimeout = connectTimeout
    }

    /// The key files tried when no identity is given, for `home`.
    public static func defaultIdentities(home: String) -> [String] {
        ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" }
    }

    /// The key files this target tries, in order.
    var identityFiles: [String] {
        if let identity { return [identity] }
        return Self.defaultIdentities(home: NSHomeDirectory())
    }

    /// Accepts what DNS and the address parsers accept and nothing else: no spaces, no
    /// options in disguise (`-oProxyCommand=...`), no `user@` parts, no control bytes.
    static func checkedHost(_ raw: String) throws(SSHError) -> String {
        var host = raw
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .invalidTarget("host is empty") }
        if host.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, host, &address) == 1 else {
                throw .invalidTarget("host '\(raw)' contains ':' but is not an IPv6 address")
            }
            return host
        }
        guard host.utf8.count <= 253 else { throw .invalidTarget("host name is longer than 253 characters") }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63 else {
                throw .invalidTarget("host '\(raw)' has an empty or over-long label")
            }
            guard label.utf8.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else {
                throw .invalidTarget("host '\(raw)' may contain only letters, digits, '-' and '.'")
            }
            guard label.first != "-", label.last != "-" else {
                throw .invalidTarget("host '\(raw)' has a label that starts or ends with '-'")
            }
        }
        return host
    }

    /// A POSIX-style login name: what `useradd` accepts by default.
    static func checkedUser(_ user: String) throws(SSHError) -> String {
        guard !user.isEmpty, user.utf8.count <= 32 else { throw .invalidTarget("user name is empty or longer than 32") }
        let bytes = Array(user.utf8)
        let first = bytes[0]
        let firstOK = isLowerOrUnderscore(first) || (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z"))
        let restOK = bytes.dropFirst().enumerated().allSatisfy { index, byte in
            isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ".") || (byte == UInt8(ascii: "$") && index == bytes.count - 2)
        }
        guard firstOK, restOK else {
            throw .invalidTarget("user '\(user)' must start with a letter or '_' and hold only letters, digits, '_', '-', '.'")
        }
        return user
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isLowerOrUnderscore(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
    }
}
