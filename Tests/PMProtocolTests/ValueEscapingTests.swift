import PMProtocol
import Testing
import TestSupport

@Suite struct ValueEscapingTests {
    @Test func everyByteStringRoundTrips() throws {
        var random = SeededRandom(seed: 0x5EED_0001)
        for _ in 0..<5_000 {
            let value = random.bytes(maximumCount: 64)
            let encoded = ValueEscaping.encode(value)
            #expect(try ValueEscaping.decode(encoded) == value, "value \(value)")
        }
    }

    @Test func everySingleByteRoundTripsAndEncodesToSafeBytesOnly() throws {
        for byte in UInt8.min...UInt8.max {
            let encoded = ValueEscaping.encode([byte])
            #expect(try ValueEscaping.decode(encoded) == [byte])
            #expect(encoded.allSatisfy { ValueEscaping.isSafe($0) || $0 == UInt8(ascii: "%") })
            #expect(encoded.count == (ValueEscaping.isSafe(byte) ? 1 : 3))
        }
    }

    @Test func hexDigitsAreUpperCase() {
        #expect(ValueEscaping.encode(Array("a b\n".utf8)) == Array("a%20b%0A".utf8))
        #expect(ValueEscaping.encode([0xFF, 0xAB]) == Array("%FF%AB".utf8))
    }

    @Test func theEmptyValueIsEmpty() throws {
        #expect(ValueEscaping.encode([UInt8]()).isEmpty)
        #expect(try ValueEscaping.decode([UInt8]()).isEmpty)
    }

    @Test func malformedEscapesAreRefused() {
        for bad in ["%", "%4", "%4g", "%af", "a b", "a\"b", "%%41", "\u{7F}"] {
            #expect(throws: ValueEscaping.Failure.self, "\(bad)") { try ValueEscaping.decode(Array(bad.utf8)) }
        }
    }

    /// Found by fuzz/run.sh (protocol target): `%65` decoded to `e`, which encodes as `e`,
    /// so one value had two spellings and decoding then encoding changed the line.
    @Test func aSafeByteWrittenAsAnEscapeIsRefused() throws {
        for byte in UInt8.min...UInt8.max where ValueEscaping.isSafe(byte) {
            let hex = Array("0123456789ABCDEF".utf8)
            let escaped = [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            #expect(throws: ValueEscaping.Failure.escapedSafeByte(byte)) { try ValueEscaping.decode(escaped) }
        }
        // Whatever decodes, encodes back to the very same spelling.
        var random = SeededRandom(seed: 0x5EED_0002)
        for _ in 0..<20_000 {
            let spelling = random.bytes(maximumCount: 12).map { Array("%A0-z".utf8)[Int($0) % 5] }
            if let value = try? ValueEscaping.decode(spelling) {
                #expect(ValueEscaping.encode(value) == spelling, "\(String(decoding: spelling, as: UTF8.self))")
            }
        }
    }
}
