import PMProtocol

/// Why a request failed, typed as the `ERR` line that answers it: an error code and the
/// fields that name what went wrong (`tool=`, `exit=`, `stderr=`, `key=`).
public struct AgentError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var extra: Fields

    public init(_ code: ErrorCode, _ message: String, _ extra: Fields = Fields()) {
        self.code = code
        self.message = message
        self.extra = extra
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public func reply(to id: String?) -> Message {
        Message.error(id: id, code, message: message, extra)
    }

    static func toolMissing(_ tool: String, _ why: String? = nil) -> AgentError {
        AgentError(.toolMissing, why ?? "\(tool) is not installed (looked in the tool directories and the system directories)",
                   ["tool": tool])
    }

    static func toolFailed(_ tool: String, exit: String, stderr: [UInt8], _ what: String) -> AgentError {
        let tail = Array(stderr.suffix(Limits.stderrTailLength))
        var extra: Fields = ["tool": tool, "exit": exit]
        extra["stderr"] = tail
        return AgentError(.toolFailed, what, extra)
    }

    static func notPermitted(_ tool: String, _ why: String) -> AgentError {
        AgentError(.notPermitted, why, ["tool": tool])
    }

    static func badArgument(_ error: ArgumentError) -> AgentError {
        AgentError(.badArgument, "\(error.key): \(error.reason)", ["key": error.key])
    }
}
