import PMProtocol

/// `pmctl learn`: an event handler on an INFO run that stores each answering host's MACs,
/// interfaces and broadcast address, so it can be woken by name once it is off.
public final class FactLearner: EventHandler, @unchecked Sendable {
    private let facts: LearnedFacts
    private let addresses: [String: String]
    /// Hosts whose facts were stored, and those that could not be.
    public private(set) var stored: [String] = []
    public private(set) var failures: [String: String] = [:]

    /// - Parameter addresses: each host's SSH address, stored as where it was last seen.
    public init(facts: LearnedFacts, addresses: [String: String]) {
        self.facts = facts
        self.addresses = addresses
    }

    public func handle(_ event: HostEvent) {
        guard case .finished(let result) = event, result.outcome == .ok else { return }
        let learned = LearnedFacts.facts(fromInfo: result.records, final: result.facts, address: addresses[result.host])
        guard !learned.macs.isEmpty else {
            failures[result.host] = "INFO listed no interface with a MAC address"
            return
        }
        do {
            try facts.store(learned, for: result.host)
            stored.append(result.host)
        } catch {
            failures[result.host] = "\(error)"
        }
    }
}
