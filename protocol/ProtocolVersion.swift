/// The version of the line protocol, `MAJOR.MINOR`.
///
/// A peer refuses a different major version; minor versions only add verbs, keys and
/// results, which an older peer ignores or answers with `unknown-verb`.
public struct ProtocolVersion: Equatable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    /// The version this build speaks.
    /// 1.1 added the `ipmi` verb.
    public static let current = ProtocolVersion(major: 1, minor: 1)

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `MAJOR.MINOR` (each 1 to 4 decimal digits); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let major = Self.number(parts[0]), let minor = Self.number(parts[1])
        else { return nil }
        self.init(major: major, minor: minor)
    }

    public var description: String { "\(major).\(minor)" }

    /// Whether a peer speaking `other` can talk to us.
    public func isCompatible(with other: ProtocolVersion) -> Bool { major == other.major }

    private static func number(_ text: Substring) -> Int? {
        guard (1...4).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
