/// What sshd runs for the controller's key: `PATH serve [ARGS...]`. sshd passes it to the
/// agent user's shell, so every word is held to characters that mean nothing to a shell
/// or to authorized_keys' quoting: letters, digits and `/ . _ - + = : , @`.
public struct ForcedCommand: Equatable, Sendable {
    public let agentPath: String
    public let serveArguments: [String]

    public init(agentPath: String, serveArguments: [String] = []) throws(InstallError) {
        guard agentPath.hasPrefix("/"), !agentPath.hasSuffix("/"), Self.isPlainWord(agentPath), !agentPath.contains("..") else {
            throw InstallError(.usage, "--install-path '\(agentPath)' must be an absolute file path of letters, digits and / . _ - +")
        }
        for argument in serveArguments where !Self.isPlainWord(argument) {
            throw InstallError(.usage, "--serve-arg '\(argument)' may hold only letters, digits and / . _ - + = : , @")
        }
        self.agentPath = agentPath
        self.serveArguments = serveArguments
    }

    public var text: String { ([agentPath, "serve"] + serveArguments).joined(separator: " ") }

    public static func isPlainWord(_ word: String) -> Bool {
        !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+=:,@".contains($0)) }
    }
}
