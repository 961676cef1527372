/// Why a connection to a host's agent could not be made. The kind becomes the host's
/// outcome (CONTRACT.md, "Results").
public struct ConnectFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No TCP connection, and nothing answered: the connect timed out, or no route / host
        /// unreachable for its resolved address. The only kind that can mean the host is down.
        case unreachable
        /// No TCP connection because the host refused it: its kernel is up (outcome
        /// `unreachable` all the same: no TCP connection).
        case connectionRefused
        /// The host, user or port cannot be used at all; nothing was sent (outcome `refused`).
        case invalid
        /// The server refused every key.
        case auth
        /// The host key is unknown or changed.
        case hostKey = "hostkey"
        /// The connect deadline passed.
        case timeout
        /// TCP connected but no SSH session came of it: the handshake failed (no common
        /// algorithm, not an SSH server, the server hung up) or the exec channel was refused;
        /// or the host was never tried: its name does not resolve, or this machine could not
        /// open a connection (no socket, no local port).
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
