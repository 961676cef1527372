/// How a renderer may decorate its output: colour only on a terminal and only when
/// NO_COLOR (https://no-color.org) is unset or empty; the live progress line only when
/// stderr is a terminal.
public struct TerminalStyle: Equatable, Sendable {
    public var color: Bool
    public var progress: Bool

    public init(color: Bool, progress: Bool) {
        self.color = color
        self.progress = progress
    }

    public static let plain = TerminalStyle(color: false, progress: false)

    public static func decide(stdoutIsTerminal: Bool, stderrIsTerminal: Bool, environment: [String: String]) -> TerminalStyle {
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        return TerminalStyle(color: stdoutIsTerminal && !noColor && environment["TERM"] != "dumb",
                             progress: stderrIsTerminal)
    }

    /// The SGR colour of an outcome word.
    func paint(_ text: String, _ outcome: Outcome) -> String {
        guard color else { return text }
        let code: String
        switch outcome {
        case .ok: code = "32"
        case .skipped: code = "36"
        case .timeout, .unfinished: code = "33"
        case .failed, .unreachable, .auth, .hostKey, .refused: code = "31"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
