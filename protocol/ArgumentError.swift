/// A request argument that was missing, unknown or malformed. The agent answers it with
/// `ERR <id> bad-argument key=<key> message=<reason>` and runs nothing.
public struct ArgumentError: Error, Equatable, Sendable, CustomStringConvertible {
    public var key: String
    public var reason: String

    public init(key: String, _ reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(key): \(reason)" }

    public func reply(to id: String) -> Message {
        Message.error(id: id, .badArgument, message: "\(key): \(reason)", ["key": key])
    }
}
