/// The change `agent install` makes to an authorized_keys file: the controller key's line
/// exactly once, as the forced command. It works on the file's bytes: other keys, comments,
/// blank lines, CRLF endings and bytes that are not UTF-8 stay exactly as they were. Lines
/// for the same key (in sshd's key position, see AuthorizedKeyLine) with other options are
/// replaced by the one wanted line, where the first of them stood. A `cert-authority` line
/// for the same key is someone's certificate authority, not our login, and is left alone.
public struct AuthorizedKeysEdit: Equatable, Sendable {
    public enum Change: String, Sendable {
        case added, replaced, unchanged
    }

    public let change: Change
    /// The new file content (the old one when unchanged).
    public let bytes: [UInt8]
    /// The lines that held the key with other options, for the report.
    public let replacedLines: [String]

    public init(existing: [UInt8], key: ControllerPublicKey, wanted: String) {
        var lines = existing.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let texts = lines.map { String(decoding: $0, as: UTF8.self) }
        let matching = texts.indices.filter { Self.holdsKey(texts[$0], key) }
        let isWanted = { (index: Int) in texts[index].trimmingBlanks() == wanted }
        if matching.count == 1, isWanted(matching[0]) {
            change = .unchanged
            bytes = existing
            replacedLines = []
            return
        }
        replacedLines = matching.filter { !isWanted($0) }.map { texts[$0] }
        var result: [UInt8] = []
        for (index, line) in lines.enumerated() where index == matching.first || !matching.contains(index) {
            result += index == matching.first ? Array(wanted.utf8) : line
            result.append(UInt8(ascii: "\n"))
        }
        if matching.isEmpty { result += Array(wanted.utf8) + [UInt8(ascii: "\n")] }
        change = matching.isEmpty ? .added : .replaced
        bytes = result
    }

    /// Whether an authorized_keys line is a login line for `key`.
    static func holdsKey(_ line: String, _ key: ControllerPublicKey) -> Bool {
        guard let parsed = AuthorizedKeyLine(line) else { return false }
        return parsed.type == key.type && parsed.blob == key.blob && !parsed.isCertificateAuthority
    }

    /// What stood before the key on a replaced line (its options), for the report.
    public static func options(of line: String) -> String {
        let options = AuthorizedKeyLine(line)?.options ?? ""
        return options.isEmpty ? "(no options)" : options
    }
}
