/// A NIC's hardware address, the thing a magic packet wakes.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let bytes: [UInt8]

    /// Why a MAC address was refused.
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String {
            "'\(text)' is not a MAC address: \(reason) (write it like 02:77:00:00:00:01, 02-77-00-00-00-01 or 027700000001)"
        }
    }

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 6, "a MAC address has 6 bytes")
        self.bytes = bytes
    }

    /// Parses six hex bytes separated all by `:`, all by `-`, or not at all. Either case.
    /// All-zero, broadcast and multicast addresses are refused: no NIC has them.
    public init(parsing text: String) throws(ParseError) {
        let characters = Array(text.utf8)
        let groups: [ArraySlice<UInt8>]
        switch characters.count {
        case 12:
            groups = stride(from: 0, to: 12, by: 2).map { characters[$0..<$0 + 2] }
        case 17:
            let separator = characters[2]
            guard separator == UInt8(ascii: ":") || separator == UInt8(ascii: "-") else {
                throw ParseError(text: text, reason: "separate the bytes with ':' or '-'")
            }
            guard stride(from: 2, to: 17, by: 3).allSatisfy({ characters[$0] == separator }) else {
                throw ParseError(text: text, reason: "use one separator throughout, between every two hex digits")
            }
            groups = stride(from: 0, to: 17, by: 3).map { characters[$0..<$0 + 2] }
        default:
            throw ParseError(text: text, reason: "expected 6 bytes of 2 hex digits each")
        }
        var bytes: [UInt8] = []
        for group in groups {
            guard let high = Self.hexValue(group.first!), let low = Self.hexValue(group.last!) else {
                throw ParseError(text: text, reason: "'\(String(decoding: group, as: UTF8.self))' is not a hex byte")
            }
            bytes.append(high << 4 | low)
        }
        if bytes.allSatisfy({ $0 == 0 }) { throw ParseError(text: text, reason: "the all-zero address belongs to no NIC") }
        if bytes[0] & 1 == 1 { throw ParseError(text: text, reason: "a broadcast or multicast address belongs to no NIC") }
        self.bytes = bytes
    }

    /// Lower-case, colon-separated: `02:77:00:00:00:01`.
    public var description: String {
        bytes.map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
        }.joined(separator: ":")
    }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
