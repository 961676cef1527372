/// Reads typed arguments out of a request's fields, once each, and then refuses any key
/// that nobody asked for. Every reader method validates at the edge and names the key.
struct ArgumentReader {
    private let fields: Fields
    private var used: Set<String> = []

    init(_ fields: Fields) {
        self.fields = fields
    }

    /// The value as UTF-8 text without control characters, or nil when absent.
    mutating func text(_ key: String, maximumLength: Int = 256) throws(ArgumentError) -> String? {
        used.insert(key)
        guard let bytes = fields[key] else { return nil }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ArgumentError(key: key, "is not valid UTF-8")
        }
        guard bytes.count <= maximumLength else {
            throw ArgumentError(key: key, "is \(bytes.count) bytes long, at most \(maximumLength) allowed")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ArgumentError(key: key, "contains a control character")
        }
        return text
    }

    /// `yes` or `no`.
    mutating func flag(_ key: String, default value: Bool = false) throws(ArgumentError) -> Bool {
        switch try text(key) {
        case nil: return value
        case "yes": return true
        case "no": return false
        case let other?: throw ArgumentError(key: key, "must be yes or no, got '\(other)'")
        }
    }

    /// A decimal integer in `range`, without sign or leading zeros.
    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ArgumentError) -> Int? {
        guard let text = try text(key) else { return nil }
        guard let number = Patterns.decimal(text), range.contains(number) else {
            throw ArgumentError(key: key, "must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }

    /// A value parsed by `parse`, which returns nil for a bad value; `expected` says what was wanted.
    mutating func value<T>(_ key: String, expected: String, _ parse: (String) -> T?) throws(ArgumentError) -> T? {
        guard let text = try text(key) else { return nil }
        guard let value = parse(text) else { throw ArgumentError(key: key, "must be \(expected), got '\(text)'") }
        return value
    }

    /// Refuses the first key that no reader method asked for.
    func finish() throws(ArgumentError) {
        if let unknown = fields.keys.first(where: { !used.contains($0) }) {
            throw ArgumentError(key: unknown, "is not an argument of this verb")
        }
    }
}
