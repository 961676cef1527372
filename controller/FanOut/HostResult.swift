import PMProtocol

/// One host's result line: how it ended, the steps in the order they happened, and what
/// a query returned.
public struct HostResult: Equatable, Sendable {
    public var host: String
    public var action: String
    public var outcome: Outcome
    public var elapsedMilliseconds: Int
    public var steps: [Step]
    /// For people: why it failed, or a short note.
    public var message: String
    /// The relay that sent a magic packet for this host.
    public var via: String?
    /// The final `OK` line's fields of a query (`boot`, `uptime`, ...).
    public var facts: Fields
    /// The `DATA` records of a query, in order.
    public var records: [Fields]

    public init(host: String, action: String, outcome: Outcome, elapsedMilliseconds: Int = 0, steps: [Step] = [],
                message: String = "", via: String? = nil, facts: Fields = Fields(), records: [Fields] = []) {
        self.host = host
        self.action = action
        self.outcome = outcome
        self.elapsedMilliseconds = elapsedMilliseconds
        self.steps = steps
        self.message = message
        self.via = via
        self.facts = facts
        self.records = records
    }
}
