/// Why a conversation with an agent ended without a final answer.
public enum AgentFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The deadline passed while waiting (`what` says for what).
    case timeout(String)
    /// The agent closed the link (`what` says while waiting for what).
    case closed(String)
    /// The agent's greeting was refused (wrong protocol major, not a greeting).
    case greeting(String)
    /// The agent broke the protocol (a line that does not parse, a wrong request id).
    case protocolViolation(String)
    /// The link failed (a write or read error).
    case link(String)
    /// Ctrl-C.
    case interrupted

    /// The outcome a host gets when its conversation ends this way.
    public var outcome: Outcome {
        switch self {
        case .timeout: .timeout
        case .interrupted: .unfinished
        case .closed, .greeting, .protocolViolation, .link: .failed
        }
    }

    public var description: String {
        switch self {
        case .timeout(let what): "no answer in time (\(what))"
        case .closed(let what): "the agent closed the connection \(what)"
        case .greeting(let why): why
        case .protocolViolation(let why): "the agent broke the protocol: \(why)"
        case .link(let why): why
        case .interrupted: "interrupted"
        }
    }
}
