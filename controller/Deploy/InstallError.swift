/// Why `agent install` stopped: a bad command line or local file (exit 2, before any host
/// is touched), or one host's failure with the outcome it ends with.
public struct InstallError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case usage
        case host(Outcome)
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    static func failed(_ message: String) -> InstallError { InstallError(.host(.failed), message) }
    static func refused(_ message: String) -> InstallError { InstallError(.host(.refused), message) }

    public var outcome: Outcome {
        if case .host(let outcome) = kind { return outcome }
        return .failed
    }

    public var description: String { message }
}
