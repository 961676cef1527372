import Foundation

/// The change `agent install` makes to an authorized_keys file: the controller key's line
/// exactly once, as the forced command. Other keys, comments and blank lines stay as they
/// were; lines for the same key with other options are replaced by the one wanted line,
/// where the first of them stood.
public struct AuthorizedKeysEdit: Equatable, Sendable {
    public enum Change: String, Sendable {
        case added, replaced, unchanged
    }

    public let change: Change
    /// The new file content (the old one when unchanged).
    public let text: String
    /// The lines that held the key with other options, for the report.
    public let replacedLines: [String]

    public init(existing: String, key: ControllerPublicKey, wanted: String) {
        var lines = existing.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let matching = lines.indices.filter { Self.holdsKey(lines[$0], key) }
        if matching.count == 1, lines[matching[0]].trimmingCharacters(in: .whitespaces) == wanted {
            change = .unchanged
            text = existing
            replacedLines = []
            return
        }
        replacedLines = matching.map { lines[$0] }.filter { $0.trimmingCharacters(in: .whitespaces) != wanted }
        var result: [String] = []
        for (index, line) in lines.enumerated() {
            if index == matching.first { result.append(wanted) } else if !matching.contains(index) { result.append(line) }
        }
        if matching.isEmpty { result.append(wanted) }
        change = matching.isEmpty ? .added : .replaced
        text = result.map { $0 + "\n" }.joined()
    }

    /// Whether an authorized_keys line is for `key`: its words, split on blanks outside
    /// double quotes (options like `command="a b"` hold blanks), contain the key's type
    /// followed by its base64 blob.
    static func holdsKey(_ line: String, _ key: ControllerPublicKey) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return false }
        let words = words(of: trimmed)
        return zip(words, words.dropFirst()).contains { $0 == key.type && $1 == key.blob }
    }

    static func words(of line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quoted {
                current.append(character)
                escaped = true
            } else if character == "\"" {
                current.append(character)
                quoted.toggle()
            } else if (character == " " || character == "\t") && !quoted {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
