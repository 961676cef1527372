/// The typed errors an `ERR` line carries. The raw values are the wire spelling.
public enum ErrorCode: String, CaseIterable, Sendable {
    /// The line could not be parsed (grammar, escaping, a byte outside ASCII).
    case badLine = "bad-line"
    /// The line was longer than `Limits.maximumLineLength`; it was discarded.
    case lineTooLong = "line-too-long"
    /// The request named a verb this agent does not know.
    case unknownVerb = "unknown-verb"
    /// An argument was missing, unknown, duplicated or malformed; `key=` names it.
    case badArgument = "bad-argument"
    /// The agent may not do this (policy, or `sudo -n` said no).
    case notPermitted = "not-permitted"
    /// A tool the request needs is not installed; `tool=` names it.
    case toolMissing = "tool-missing"
    /// A tool ran and failed; `tool=`, `exit=` and `stderr=` (its tail) say how.
    case toolFailed = "tool-failed"
    /// A step did not finish in time.
    case timeout = "timeout"
    /// Anything else; `message=` explains.
    case internalError = "internal"
}
