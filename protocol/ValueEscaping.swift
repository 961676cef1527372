/// The one escaping rule for field values.
///
/// A value is any byte string. On the wire, the bytes `A-Z a-z 0-9 - _ . ~ : / , @ +` stand
/// for themselves and every other byte is written `%HH` with two upper-case hex digits.
/// The encoding is canonical: each byte string has exactly one spelling, so a decoder
/// rejects literal unsafe bytes, lower-case hex, a `%` not followed by two hex digits, and
/// an escaped safe byte (`%41` for `A`).
public enum ValueEscaping {
    /// Whether `byte` may appear literally in an encoded value.
    @inlinable
    public static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"),
             UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: ","), UInt8(ascii: "@"),
             UInt8(ascii: "+"):
            return true
        default:
            return false
        }
    }

    /// Appends the wire form of `value` to `out`.
    public static func encode<Bytes: Sequence>(_ value: Bytes, into out: inout [UInt8])
    where Bytes.Element == UInt8 {
        for byte in value {
            if isSafe(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
    }

    /// The wire form of `value`.
    public static func encode<Bytes: Sequence>(_ value: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        encode(value, into: &out)
        return out
    }

    /// Why an encoded value was refused.
    public enum Failure: Error, Equatable, Sendable {
        /// A byte outside the safe set appeared literally.
        case unsafeByte(UInt8)
        /// `%` was not followed by two upper-case hex digits.
        case badEscape
        /// `%HH` stood for a safe byte, which is only ever written as itself: a second
        /// spelling of the same value would break "decoding then encoding gives the same line".
        case escapedSafeByte(UInt8)
    }

    /// The bytes that the wire form `encoded` stands for.
    public static func decode<Bytes: Collection>(_ encoded: Bytes) throws(Failure) -> [UInt8]
    where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index != encoded.endIndex {
            let byte = encoded[index]
            encoded.formIndex(after: &index)
            if byte == UInt8(ascii: "%") {
                guard index != encoded.endIndex, let high = hexValue(encoded[index]) else { throw .badEscape }
                encoded.formIndex(after: &index)
                guard index != encoded.endIndex, let low = hexValue(encoded[index]) else { throw .badEscape }
                encoded.formIndex(after: &index)
                let value = high << 4 | low
                if isSafe(value) { throw .escapedSafeByte(value) }
                out.append(value)
            } else if isSafe(byte) {
                out.append(byte)
            } else {
                throw .unsafeByte(byte)
            }
        }
        return out
    }

    @usableFromInline
    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
