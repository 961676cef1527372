import Foundation

/// The controller's public key as an authorized_keys line takes it (`TYPE BASE64 COMMENT`),
/// parsed strictly: it ends up in a file sshd reads on every managed host.
public struct ControllerPublicKey: Equatable, Sendable {
    public static let acceptedTypes = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"]

    public let type: String
    public let blob: String
    public let comment: String

    /// Parses one `.pub` line. A comment with anything but letters, digits and `@ . _ - +`
    /// is replaced by `pmctl@console` rather than copied into the hosts' files.
    public init(line: String, source: String) throws(InstallError) {
        let parts = line.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 2, Self.acceptedTypes.contains(parts[0]) else {
            throw InstallError(.usage, "\(source) is not an SSH public key (expected 'ssh-ed25519 AAAA... comment')")
        }
        guard parts[1].count >= 16, parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0)) }),
              Data(base64Encoded: parts[1]) != nil else {
            throw InstallError(.usage, "\(source): the key's base64 part is malformed")
        }
        type = parts[0]
        blob = parts[1]
        let comment = parts.dropFirst(2).joined(separator: " ")
        let safe = !comment.isEmpty && comment.count <= 100
            && comment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "@._-+".contains($0)) }
        self.comment = safe ? comment : "pmctl@console"
    }

    /// Reads the key from a `.pub` file.
    public static func load(path: String) throws(InstallError) -> ControllerPublicKey {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw InstallError(.usage, "cannot read the controller's public key \(path): \(error.localizedDescription) (pass --key FILE.pub)")
        }
        let first = text.split(separator: "\n").first { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }
        return try ControllerPublicKey(line: first.map(String.init) ?? "", source: path)
    }

    /// `command="/usr/local/bin/pmagent serve",restrict ssh-ed25519 AAAA... pmctl@console`
    /// (CONTRACT.md). The command holds only checked words (ForcedCommand), so no quote or
    /// backslash can break out of it.
    public func forcedCommandLine(_ command: ForcedCommand) -> String {
        "command=\"\(command.text)\",restrict \(type) \(blob) \(comment)"
    }
}
