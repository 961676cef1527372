/// The optional password some NICs require after the 16 MAC copies of a magic packet.
public struct SecureOnPassword: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public var text: String
        public var description: String {
            "'\(text)' is not a SecureOn password: give 4 or 6 bytes as hex, like 0a:0b:0c:0d or 0a0b0c0d0e0f"
        }
    }

    /// Parses 4 or 6 hex bytes, separated by `:` or `-` or not at all.
    public init(parsing text: String) throws(ParseError) {
        var digits = Array(text.utf8)
        if digits.count == 11 || digits.count == 17 {
            let separator = digits[2]
            guard separator == UInt8(ascii: ":") || separator == UInt8(ascii: "-"),
                  stride(from: 2, to: digits.count, by: 3).allSatisfy({ digits[$0] == separator })
            else { throw ParseError(text: text) }
            digits = digits.enumerated().filter { ($0.offset + 1) % 3 != 0 }.map(\.element)
        }
        guard digits.count == 8 || digits.count == 12 else { throw ParseError(text: text) }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = MACAddress.hexValue(digits[index]), let low = MACAddress.hexValue(digits[index + 1]) else {
                throw ParseError(text: text)
            }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// Lower-case hex without separators, as the protocol's `secureon=` carries it.
    public var description: String { bytes.map { LineCodec.hex($0).lowercased() }.joined() }
}
