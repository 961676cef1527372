/// How one host's part of a run ended (CONTRACT.md, "Results"). The raw value is the
/// spelling in results and summaries.
public enum Outcome: String, CaseIterable, Sendable {
    case ok
    /// The agent ran it and a step failed (tool failed, timeout inside the agent, internal).
    case failed
    /// No TCP connection.
    case unreachable
    /// Authentication refused.
    case auth
    /// Unknown or changed host key.
    case hostKey = "hostkey"
    /// Connected, but no result in time.
    case timeout
    /// The agent would not: not permitted, tool missing, bad argument, unknown verb.
    case refused
    /// Dry run, or deselected.
    case skipped
    /// Interrupted (Ctrl-C) before the host's result came.
    case unfinished

    public init(_ failure: ConnectFailure.Kind) {
        switch failure {
        case .unreachable, .connectionRefused: self = .unreachable
        case .invalid: self = .refused
        case .auth: self = .auth
        case .hostKey: self = .hostKey
        // TCP answered but SSH did not finish in time: connected, no result (CONTRACT.md).
        case .timeout: self = .timeout
        // TCP answered, so not `unreachable`; SSH itself failed, or the host was never tried
        // (its name did not resolve, no local socket): the message says how.
        case .failed: self = .failed
        case .interrupted: self = .unfinished
        }
    }
}
