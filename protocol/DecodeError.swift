/// Why a line could not be parsed. The agent answers it with `ERR <id>|- <code> problem=<problem>`.
public struct DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What exactly was wrong; the raw value is the wire spelling used in `problem=` and the vectors.
    public enum Problem: String, Sendable {
        case tooLong = "too-long"
        case notASCII = "not-ascii"
        case controlByte = "control-byte"
        case emptyToken = "empty-token"
        case unknownKind = "unknown-kind"
        case missingID = "missing-id"
        case badID = "bad-id"
        case missingWord = "missing-word"
        case badWord = "bad-word"
        case missingEquals = "missing-equals"
        case badKey = "bad-key"
        case duplicateKey = "duplicate-key"
        case badEscape = "bad-escape"
        case unsafeByte = "unsafe-byte"
    }

    public var problem: Problem
    /// A sentence for people.
    public var reason: String
    /// The request id, when the line got far enough to show one; the reply uses it.
    public var requestID: String?

    public init(_ problem: Problem, _ reason: String, requestID: String? = nil) {
        self.problem = problem
        self.reason = reason
        self.requestID = requestID
    }

    /// The error code the reply carries.
    public var code: ErrorCode { problem == .tooLong ? .lineTooLong : .badLine }

    public var description: String { "\(code.rawValue) (\(problem.rawValue)): \(reason)" }

    /// The `ERR` line that answers this error.
    public var reply: Message {
        Message.error(id: requestID, code, message: reason, ["problem": problem.rawValue])
    }
}
