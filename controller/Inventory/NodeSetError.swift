/// Why a node-set pattern such as `node[01-64]` could not be expanded.
public struct NodeSetError: Error, Equatable, Sendable, CustomStringConvertible {
    public var pattern: String
    public var reason: String

    public init(pattern: String, _ reason: String) {
        self.pattern = pattern
        self.reason = reason
    }

    public var description: String { "node set '\(pattern)': \(reason)" }
}
