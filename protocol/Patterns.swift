/// Strict patterns for the values that reach a tool's argument list: interface names,
/// guest names, addresses. Parsed here, at the edge, so nothing further in needs to worry.
public enum Patterns {
    /// A network interface name: 1 to 15 of `A-Z a-z 0-9 _ . : @ -`, starting with a letter
    /// or digit, not `.` or `..` (the kernel's own rules, minus `/` and whitespace).
    public static func isInterfaceName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...15).contains(bytes.count), Grammar.isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy {
            Grammar.isAlphanumeric($0) || [UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"),
                                           UInt8(ascii: "@"), UInt8(ascii: "-")].contains($0)
        }
    }

    /// A guest (VM) name as libvirt and Xen accept it and a tool argument can carry safely:
    /// 1 to 64 of `A-Z a-z 0-9 _ . + -`, starting with a letter or digit.
    public static func isGuestName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count), Grammar.isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy {
            Grammar.isAlphanumeric($0) || [UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "+"),
                                           UInt8(ascii: "-")].contains($0)
        }
    }

    /// A dotted-quad IPv4 address, each part 0 to 255 without leading zeros.
    public static func isIPv4(_ text: String) -> Bool { ipv4Bytes(text) != nil }

    /// The four bytes of a dotted-quad IPv4 address.
    public static func ipv4Bytes(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard let number = decimal(String(part)), number <= 255 else { return nil }
            bytes.append(UInt8(number))
        }
        return bytes
    }

    /// A DNS name or an IPv4 address: labels of `A-Z a-z 0-9 -` (not starting or ending
    /// with `-`), up to 253 bytes in all.
    public static func isHostName(_ text: String) -> Bool {
        guard (1...253).contains(text.utf8.count) else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
            else { return false }
            return bytes.allSatisfy { Grammar.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// A plain decimal number: digits only, no sign, no leading zero, at most 9 digits.
    public static func decimal(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard (1...9).contains(bytes.count), bytes.allSatisfy(Grammar.isDigit),
              bytes.count == 1 || bytes[0] != UInt8(ascii: "0")
        else { return nil }
        return Int(text)
    }
}
