import PMProtocol

/// The answer to one request: the progress it reported and how it ended.
public struct AgentReply: Equatable, Sendable {
    public var steps: [Step]
    public var records: [Fields]
    /// The final line: `OK` or `ERR`.
    public var final: Message

    public init(steps: [Step], records: [Fields], final: Message) {
        self.steps = steps
        self.records = records
        self.final = final
    }

    public var isOK: Bool { final.kind == .ok }

    /// `ok`; `failed` for tool-failed, timeout and internal (the agent tried); `refused`
    /// for not-permitted, tool-missing, bad-argument and unknown-verb (it would not).
    public var outcome: Outcome {
        guard final.kind == .error else { return .ok }
        switch final.errorCode {
        case .notPermitted?, .toolMissing?, .badArgument?, .unknownVerb?: return .refused
        default: return .failed
        }
    }

    /// For people: the `ERR` code and message, with tool, exit code and stderr tail.
    public var message: String {
        guard final.kind == .error else { return final.fields.text("message") ?? "" }
        var text = "\(final.word ?? "error"): \(final.fields.text("message") ?? "no message")"
        if let tool = final.fields.text("tool") { text += " (tool \(tool)" + (final.fields.text("exit").map { ", exit \($0)" } ?? "") + ")" }
        if let stderr = final.fields.text("stderr"), !stderr.isEmpty { text += "; stderr: \(stderr)" }
        return text
    }
}
