/// A run's results grouped by outcome, each group's hosts folded into node sets
/// (`ok 3 lab[01-03]`), in the order of `Outcome.allCases`, empty groups left out.
public struct Summary: Equatable, Sendable {
    public struct Group: Equatable, Sendable {
        public var outcome: Outcome
        public var count: Int
        /// Folded: `node[01-03,07]`, `lab01`.
        public var hosts: String
    }

    public var groups: [Group]

    public init(_ results: [HostResult]) {
        groups = Outcome.allCases.compactMap { outcome in
            let hosts = results.filter { $0.outcome == outcome }.map(\.host)
            return hosts.isEmpty ? nil : Group(outcome: outcome, count: hosts.count, hosts: NodeSet.summary(hosts))
        }
    }
}
