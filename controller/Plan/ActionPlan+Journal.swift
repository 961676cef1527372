import PMProtocol

extension ActionPlan {
    /// The plan as the journal keeps it, so `pmctl retry` can run it again: the action
    /// and its arguments in the protocol's canonical field form (`cancel method=poweroff ...`).
    public var journalForm: String {
        let fields: Fields
        switch self {
        case .status, .check, .info: fields = Fields()
        case .cancel(let arguments): fields = arguments.fields
        case .ipmi(let command, let label):
            var ipmi: Fields = ["command": command.rawValue]
            ipmi.set("label", label)
            fields = ipmi
        case .wake, .console: fields = Fields()
        }
        return String(decoding: LineCodec.encode(.request(id: "journal", verb: name, fields)).dropFirst("REQ journal ".count).dropLast(),
                      as: UTF8.self)
    }

    /// Reads `journalForm` back. Wake and console runs are not replayed from the journal.
    public init(journalForm: String) throws(PlanError) {
        guard let message = try? LineCodec.decode(Array(("REQ journal " + journalForm).utf8)), let verb = message.word else {
            throw PlanError("the journal's plan '\(journalForm)' cannot be read")
        }
        switch verb {
        case "status": self = .status
        case "check": self = .check
        case "info": self = .info
        case "cancel":
            do { self = .cancel(try CancelArguments(message.fields)) } catch {
                throw PlanError("the journal's cancel plan is not valid: \(error)")
            }
        case "ipmi":
            guard let command = message.fields.text("command").flatMap(PowerCommand.init(rawValue:)) else {
                throw PlanError("the journal's ipmi plan has no command")
            }
            self = .ipmi(command, label: message.fields.text("label"))
        default:
            throw PlanError("\(verb) runs cannot be retried from the journal; run the command again")
        }
    }
}
