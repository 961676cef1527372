import PMProtocol

/// What one wait on an agent link gave.
public enum LinkInput: Equatable, Sendable {
    /// A complete, well-formed line.
    case message(Message)
    /// A line that did not parse; the agent broke the protocol.
    case malformed(DecodeError)
    /// The deadline passed first.
    case timedOut
    /// The agent's side closed (EOF).
    case closed
}
