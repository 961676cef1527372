/// A request, typed: the verb and its checked arguments. Both sides use it: the agent to
/// dispatch what it reads, the controller to build what it sends.
public enum Request: Equatable, Sendable {
    case ping
    case info
    case check
    case cancel(CancelArguments)
    case wake(WakeArguments)
    case ipmi(IPMIArguments)

    /// Why a `REQ` line could not become a request.
    public enum Failure: Error, Equatable, Sendable {
        case unknownVerb(String)
        case badArgument(ArgumentError)

        /// The `ERR` line that answers it.
        public func reply(to id: String) -> Message {
            switch self {
            case .unknownVerb(let verb):
                let known = Verb.allCases.map(\.rawValue).joined(separator: ", ")
                return .error(id: id, .unknownVerb, message: "unknown verb '\(verb)'; this agent knows \(known)",
                              ["verb": verb])
            case .badArgument(let error):
                return error.reply(to: id)
            }
        }
    }

    /// Reads a `REQ` message's verb and arguments.
    public init(verb: String, fields: Fields) throws(Failure) {
        guard let known = Verb(rawValue: verb) else { throw .unknownVerb(verb) }
        do throws(ArgumentError) {
            switch known {
            case .ping, .info, .check:
                if let key = fields.keys.first { throw ArgumentError(key: key, "\(verb) takes no arguments") }
                self = known == .ping ? .ping : known == .info ? .info : .check
            case .cancel: self = .cancel(try CancelArguments(fields))
            case .wake: self = .wake(try WakeArguments(fields))
            case .ipmi: self = .ipmi(try IPMIArguments(fields))
            }
        } catch {
            throw .badArgument(error)
        }
    }

    public var verb: Verb {
        switch self {
        case .ping: .ping
        case .info: .info
        case .check: .check
        case .cancel: .cancel
        case .wake: .wake
        case .ipmi: .ipmi
        }
    }

    /// The arguments in canonical order.
    public var fields: Fields {
        switch self {
        case .ping, .info, .check: Fields()
        case .cancel(let arguments): arguments.fields
        case .wake(let arguments): arguments.fields
        case .ipmi(let arguments): arguments.fields
        }
    }

    public func message(id: String) -> Message { .request(id: id, verb: verb.rawValue, fields) }
}
