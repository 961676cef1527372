/// A bad action string or option combination, found before any host is touched (exit 2).
/// The message names the part at fault and what was expected:
/// `unknown cancel part 'POWEROF:0' (at 2nd part); expected one of ...`.
public struct PlanError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
