/// Why a connection to a host's agent could not be made. The kind becomes the host's
/// outcome (CONTRACT.md, "Results").
public struct ConnectFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No TCP connection (refused, no route, name does not resolve).
        case unreachable
        /// The server refused every key.
        case auth
        /// The host key is unknown or changed.
        case hostKey = "hostkey"
        /// The connect deadline passed.
        case timeout
        /// TCP connected but no SSH session came of it: the handshake failed (no common
        /// algorithm, not an SSH server, the server hung up) or the exec channel was refused.
        case failed
        /// Ctrl-C while connecting.
        case interrupted
    }

    public var kind: Kind
    /// What happened and, where there is one, the next step.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
