import PMProtocol
import Testing

@Suite struct MagicPacketTests {
    @Test func macAddressesParseInEverySpellingWeAccept() throws {
        let expected: [UInt8] = [0x02, 0x77, 0x00, 0x00, 0x00, 0xAB]
        for text in ["02:77:00:00:00:ab", "02-77-00-00-00-AB", "0277000000Ab", "02:77:00:00:00:AB"] {
            #expect(try MACAddress(parsing: text).bytes == expected, "\(text)")
        }
        #expect(try MACAddress(parsing: "02-77-00-00-00-ab").description == "02:77:00:00:00:ab")
    }

    @Test(arguments: ["", "02:77:00:00:00", "02:77:00:00:00:01:02", "02:77-00:00:00:01", "02.77.00.00.00.01",
                      "02:77:00:00:00:0g", "0277000000", "02:77:00:00:0:001", "00:00:00:00:00:00",
                      "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01", "02 77 00 00 00 01", " 02:77:00:00:00:01"])
    func badMACAddressesAreRefusedWithTheReason(_ text: String) {
        let error = #expect(throws: MACAddress.ParseError.self) { try MACAddress(parsing: text) }
        #expect(error?.description.contains("is not a MAC address") == true)
        #expect(error?.description.contains("02:77:00:00:00:01") == true, "the message shows the expected form")
    }

    @Test func thePayloadIsSixFFsThenTheMACSixteenTimes() throws {
        let mac = try MACAddress(parsing: "02:77:00:00:00:01")
        let payload = MagicPacket(target: mac).payload
        // Computed by hand: 6 x FF, then 02 77 00 00 00 01 repeated 16 times: 102 bytes.
        var expected: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        for _ in 1...16 { expected += [0x02, 0x77, 0x00, 0x00, 0x00, 0x01] }
        #expect(payload == expected)
        #expect(payload.count == 102)
        #expect(Array(payload[96..<102]) == [0x02, 0x77, 0x00, 0x00, 0x00, 0x01])
    }

    @Test func aSecureOnPasswordFollowsTheSixteenthCopy() throws {
        let mac = try MACAddress(parsing: "0a:0b:0c:0d:0e:0f")
        let four = MagicPacket(target: mac, password: try SecureOnPassword(parsing: "de:ad:be:ef")).payload
        #expect(four.count == 106)
        #expect(Array(four.suffix(4)) == [0xDE, 0xAD, 0xBE, 0xEF])
        let six = MagicPacket(target: mac, password: try SecureOnPassword(parsing: "010203040506")).payload
        #expect(six.count == 108)
        #expect(Array(six.suffix(6)) == [1, 2, 3, 4, 5, 6])
        #expect(Array(six[96..<102]) == [0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F])
    }

    @Test(arguments: ["", "0102", "010203", "0102030405", "01020304050607", "zz020304", "01:02-03:04", "01:02:03:04:"])
    func badSecureOnPasswordsAreRefused(_ text: String) {
        #expect(throws: SecureOnPassword.ParseError.self) { try SecureOnPassword(parsing: text) }
    }

    @Test func theEthernetFrameHasHeaderEthertypeAndPayload() throws {
        let mac = try MACAddress(parsing: "02:77:00:00:00:01")
        let source: [UInt8] = [0x02, 0x77, 0x00, 0x00, 0x00, 0xFE]
        let packet = MagicPacket(target: mac)
        let unicast = packet.ethernetFrame(source: source, destination: mac)
        #expect(Array(unicast[0..<6]) == mac.bytes)
        #expect(Array(unicast[6..<12]) == source)
        #expect(Array(unicast[12..<14]) == [0x08, 0x42])
        #expect(Array(unicast[14...]) == packet.payload)
        let broadcast = packet.ethernetFrame(source: source)
        #expect(Array(broadcast[0..<6]) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func aListenerRecognisesPacketsAndRefusesLookalikes() throws {
        let mac = try MACAddress(parsing: "02:77:00:00:00:01")
        let password = try SecureOnPassword(parsing: "01020304")
        let packet = MagicPacket(target: mac, password: password)
        #expect(MagicPacket(payload: packet.payload) == packet)
        #expect(MagicPacket(payload: MagicPacket(target: mac).payload) == MagicPacket(target: mac))
        var broken = packet.payload
        broken[50] ^= 1
        #expect(MagicPacket(payload: broken) == nil)
        #expect(MagicPacket(payload: Array(packet.payload.prefix(101))) == nil)
        #expect(MagicPacket(payload: [UInt8](repeating: 0xFF, count: 102)) == nil)
    }
}
