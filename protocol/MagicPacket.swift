/// A Wake-on-LAN magic packet: 6 bytes of 0xFF, the target MAC 16 times, then an
/// optional 4- or 6-byte SecureOn password. The same payload goes in a UDP datagram
/// or, after an Ethernet header with ethertype 0x0842, in a raw frame.
public struct MagicPacket: Hashable, Sendable {
    public var target: MACAddress
    public var password: SecureOnPassword?

    /// The ethertype of a raw Wake-on-LAN frame.
    public static let etherType: UInt16 = 0x0842

    public init(target: MACAddress, password: SecureOnPassword? = nil) {
        self.target = target
        self.password = password
    }

    /// The payload: 102 bytes, or 106 / 108 with a password.
    public var payload: [UInt8] {
        var bytes = [UInt8](repeating: 0xFF, count: 6)
        for _ in 0..<16 { bytes += target.bytes }
        if let password { bytes += password.bytes }
        return bytes
    }

    /// A complete Ethernet frame: destination, source, ethertype 0x0842, payload.
    /// - Parameter destination: the target itself (as etherwake does), or nil for broadcast.
    public func ethernetFrame(source: [UInt8], destination: MACAddress? = nil) -> [UInt8] {
        precondition(source.count == 6, "a source MAC has 6 bytes")
        let broadcast = [UInt8](repeating: 0xFF, count: 6)
        return (destination?.bytes ?? broadcast) + source
            + [UInt8(Self.etherType >> 8), UInt8(Self.etherType & 0xFF)] + payload
    }

    /// Recognises a magic packet's payload (as a listener or a capture sees it); nil if
    /// `bytes` is not one. Trailing bytes other than a 4- or 6-byte password are refused,
    /// but Ethernet padding up to the 46-byte minimum never applies: the payload is longer.
    public init?(payload bytes: [UInt8]) {
        guard bytes.count == 102 || bytes.count == 106 || bytes.count == 108,
              bytes.prefix(6).allSatisfy({ $0 == 0xFF })
        else { return nil }
        let mac = Array(bytes[6..<12])
        guard (0..<16).allSatisfy({ Array(bytes[6 + 6 * $0 ..< 12 + 6 * $0]) == mac }),
              mac[0] & 1 == 0, !mac.allSatisfy({ $0 == 0 })
        else { return nil }
        target = MACAddress(bytes: mac)
        password = bytes.count > 102 ? try? SecureOnPassword(parsing: bytes[102...].map { LineCodec.hex($0) }.joined()) : nil
    }
}
