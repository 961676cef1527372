/// Why a console could not be opened or ended badly; the message says what to do.
public struct ConsoleError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
