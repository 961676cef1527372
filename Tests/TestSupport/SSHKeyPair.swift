import Foundation

/// An ed25519 key pair made by `ssh-keygen` for a test, without passphrase.
public struct SSHKeyPair: Sendable {
    public let privateKeyPath: String
    public var publicKeyPath: String { privateKeyPath + ".pub" }
    /// `ssh-ed25519 AAAA... comment`, as authorized_keys and known_hosts take it.
    public let publicKeyLine: String

    /// The key type and base64 blob, without the comment.
    public var publicKey: String { publicKeyLine.split(separator: " ").prefix(2).joined(separator: " ") }

    /// Generates a new pair at `path` (and `path.pub`).
    public static func generate(at path: String, comment: String = "pmcontrol-test") throws -> SSHKeyPair {
        try FixtureProgram.run("/usr/bin/ssh-keygen", ["-t", "ed25519", "-N", "", "-q", "-C", comment, "-f", path])
        let line = try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return SSHKeyPair(privateKeyPath: path, publicKeyLine: line)
    }

    /// The SHA256 fingerprint as `ssh-keygen -l` prints it (`SHA256:...`).
    public func fingerprint() throws -> String {
        let output = try FixtureProgram.run("/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", publicKeyPath])
        return output.split(separator: " ").dropFirst().first.map(String.init) ?? ""
    }
}
