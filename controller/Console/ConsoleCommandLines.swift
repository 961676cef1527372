/// The argument lists the console launchers give xterm, gnome-terminal and emacs: each
/// runs `console` (the `pmctl ... console HOST --kind cli` command line) on the host.
public enum ConsoleCommandLines {
    public static func xterm(host: String, console: [String]) -> [String] {
        ["-T", "pmctl console \(host)", "-e"] + console
    }

    public static func gnomeTerminal(host: String, console: [String]) -> [String] {
        ["--title", "pmctl console \(host)", "--"] + console
    }

    /// A term-mode buffer named after the host, running the console (`make-term NAME
    /// PROGRAM nil ARGS...`); every string is an Emacs Lisp string literal.
    public static func emacs(host: String, console: [String]) -> [String] {
        let program = console.first ?? "pmctl"
        let arguments = console.dropFirst().map(lispString).joined(separator: " ")
        return ["--eval", "(switch-to-buffer (make-term \(lispString(host)) \(lispString(program)) nil \(arguments)))"]
    }

    /// `text` as an Emacs Lisp string: backslash and double quote escaped.
    static func lispString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
