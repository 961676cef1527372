/// One `key=value` pair of a line. The value is raw bytes; see `ValueEscaping`.
public struct Field: Equatable, Hashable, Sendable {
    public var key: String
    public var value: [UInt8]

    public init(_ key: String, _ value: [UInt8]) {
        self.key = key
        self.value = value
    }

    public init(_ key: String, _ value: String) {
        self.init(key, Array(value.utf8))
    }
}

/// The ordered `key=value` pairs of a line. Keys are unique; order is kept as sent.
public struct Fields: Equatable, Hashable, Sendable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var all: [Field]

    public init(_ fields: [Field] = []) {
        all = []
        for field in fields { self[field.key] = field.value }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { Field($0.0, $0.1) })
    }

    public var isEmpty: Bool { all.isEmpty }
    public var keys: [String] { all.map(\.key) }
    public func makeIterator() -> IndexingIterator<[Field]> { all.makeIterator() }

    /// The raw bytes of `key`, or nil. Setting replaces in place or appends; nil removes.
    public subscript(key: String) -> [UInt8]? {
        get { all.first(where: { $0.key == key })?.value }
        set {
            let index = all.firstIndex(where: { $0.key == key })
            switch (index, newValue) {
            case let (index?, value?): all[index].value = value
            case let (nil, value?): all.append(Field(key, value))
            case let (index?, nil): all.remove(at: index)
            case (nil, nil): break
            }
        }
    }

    /// The value of `key` as UTF-8 text; nil when absent or not valid UTF-8.
    public func text(_ key: String) -> String? {
        guard let bytes = self[key] else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Sets `key` to the UTF-8 bytes of `value`; nil removes it.
    public mutating func set(_ key: String, _ value: String?) {
        self[key] = value.map { Array($0.utf8) }
    }
}
