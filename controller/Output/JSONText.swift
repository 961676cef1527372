import PMProtocol

/// Writes JSON by hand so keys keep the order CONTRACT.md shows.
enum JSONText {
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// An object from ordered pairs whose values are already JSON.
    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    /// A protocol value: a number when it is a plain decimal and the key says it counts
    /// (`elapsed_ms`, `exit`, `uptime`, ...), else a string (bytes that are not UTF-8
    /// are shown with U+FFFD).
    static func value(key: String, _ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        if numericKeys.contains(key) || key.hasSuffix("_ms"), Patterns.decimal(text) != nil || text == "0" {
            return text
        }
        return string(text)
    }

    static let numericKeys: Set<String> = ["exit", "uptime", "port", "count", "elapsed_ms", "delay"]

    /// Fields as an object, in their order.
    static func fields(_ fields: Fields) -> String {
        object(fields.map { ($0.key, value(key: $0.key, $0.value)) })
    }
}
