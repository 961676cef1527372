/// One line of an authorized_keys file, read as sshd reads it (sshd(8), AUTHORIZED_KEYS
/// FILE FORMAT): optional options, then the key type, then the base64 blob, then a comment.
/// Only the type and blob in those positions name the line's key: the same words in a
/// comment or inside a quoted option are not a key. Options end at the first blank outside
/// double quotes (`command="a b"`), and are separated by commas outside quotes
/// (`environment="X=a,b"`).
struct AuthorizedKeyLine: Equatable {
    /// The options as written (empty when none), then each option on its own.
    var options: String
    var type: String
    var blob: String

    /// Nil for blank lines, comments and lines that hold no key where sshd looks for one.
    init?(_ line: String) {
        let trimmed = line.trimmingBlanks()
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
        let words = Self.words(of: trimmed)
        let start = Self.isKeyType(words[0]) ? 0 : 1
        guard words.count >= start + 2, Self.isKeyType(words[start]) else { return nil }
        options = start == 0 ? "" : words[0]
        type = words[start]
        blob = words[start + 1]
    }

    /// The options one by one (`no-pty`, `command="a b"`), split on commas outside quotes.
    var optionList: [String] {
        Self.split(options, at: { $0 == "," }).filter { !$0.isEmpty }
    }

    /// `cert-authority`: the key signs certificates; it is not a login key of its own.
    var isCertificateAuthority: Bool {
        optionList.contains { $0.lowercased() == "cert-authority" }
    }

    /// Key type names sshd knows: the plain ones, security keys (`sk-...@openssh.com`) and
    /// certificates (`...-cert-v01@openssh.com`).
    static func isKeyType(_ word: String) -> Bool {
        ["ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"].contains(word)
            || (word.hasSuffix("@openssh.com") && !word.contains("=") && !word.contains("\""))
    }

    /// The line's words, split on blanks outside double quotes.
    static func words(of line: String) -> [String] {
        split(line, at: { $0 == " " || $0 == "\t" }).filter { !$0.isEmpty }
    }

    /// Splits where `isSeparator` holds outside double quotes; `\"` inside quotes is a quote
    /// character, not the end of the quoted part.
    private static func split(_ text: String, at isSeparator: (Character) -> Bool) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text {
            if escaped {
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if isSeparator(character) && !quoted {
                parts.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        parts.append(current)
        return parts
    }
}

extension String {
    /// Without leading and trailing blanks, tabs and a CR (a CRLF line's end).
    func trimmingBlanks() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\r\n" }
        var text = Substring(self)
        while let first = text.first, blank(first) { text = text.dropFirst() }
        while let last = text.last, blank(last) { text = text.dropLast() }
        return String(text)
    }
}
