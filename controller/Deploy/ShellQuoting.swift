/// POSIX shell quoting for the few commands `agent install` runs over an SSH exec channel.
/// sshd hands the command text to the login's shell, so every value in it (a path, a user
/// name) is single-quoted: inside single quotes a shell expands nothing, and a quote in the
/// value is written as `'\''`. Scripts are constants; values reach them only as quoted
/// positional arguments (`sh -c 'SCRIPT' pmctl 'ARG1' ...`).
enum ShellQuoting {
    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// The command text that runs the constant `script` with `arguments` as `$1`, `$2`, ...
    static func command(script: String, arguments: [String]) -> String {
        (["sh", "-c", quote(script), "pmctl"] + arguments.map(quote)).joined(separator: " ")
    }
}
