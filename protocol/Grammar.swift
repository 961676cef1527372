/// The token patterns of the line grammar.
public enum Grammar {
    /// A request id: 1 to 32 of `A-Z a-z 0-9 _ . -`, starting with a letter or digit.
    public static func isRequestID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...Limits.maximumIDLength).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// A verb or error code: 1 to 32 of `a-z 0-9 -`, starting with a letter.
    public static func isWord(_ text: String) -> Bool {
        isLowerToken(text, extra: UInt8(ascii: "-"))
    }

    /// A key: 1 to 32 of `a-z 0-9 _ -`, starting with a letter.
    public static func isKey(_ text: String) -> Bool {
        isLowerToken(text, extra: UInt8(ascii: "-"), UInt8(ascii: "_"))
    }

    private static func isLowerToken(_ text: String, extra: UInt8...) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...Limits.maximumWordLength).contains(bytes.count), isLower(bytes[0]) else { return false }
        return bytes.allSatisfy { isLower($0) || isDigit($0) || extra.contains($0) }
    }

    static func isLower(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLower(byte) || isDigit(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
