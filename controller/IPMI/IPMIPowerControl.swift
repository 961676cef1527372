import Foundation

/// One `pmctl ipmi` action on one BMC: the command, paced, then (for on, off and cycle)
/// status polls until the BMC has reported the expected states or `confirmTimeout` passes.
public struct IPMIPowerControl: Sendable {
    public var client: IPMIClient
    public var pacer: BMCPacer
    public var confirmTimeout: Double
    /// For BMCs with a relay: their commands go through that host's agent.
    public var relayClient: RelayIPMIClient?

    public init(client: IPMIClient, pacer: BMCPacer, confirmTimeout: Double = 30, relayClient: RelayIPMIClient? = nil) {
        self.client = client
        self.pacer = pacer
        self.confirmTimeout = confirmTimeout
        self.relayClient = relayClient
    }

    public struct Outcome: Equatable, Sendable {
        /// The state last reported (after the command, for a confirmed one).
        public var power: PowerState
        /// Whether the expected states were seen, in order; nil when there is nothing to
        /// confirm (`soft`, `reset`, `status`).
        public var confirmed: Bool?
    }

    /// Sends `command`, then polls the status (paced like any command) until the BMC has
    /// reported each of `expected` in turn, or `confirmTimeout` passes.
    /// - Parameters:
    ///   - expected: the states to see; default the command's own (`PowerCommand.expectedStates`).
    ///   - interruption: Ctrl-C; seen before the command and between polls (`.interrupted`).
    ///   - accepted: called once the BMC took the command, before any poll.
    public func perform(_ command: PowerCommand, on bmc: BMCEndpoint, expecting expected: [PowerState]? = nil,
                        interruption: Interruption? = nil, accepted: () -> Void = {}) throws(IPMIFailure) -> Outcome {
        if interruption?.isSet == true { throw .interrupted }
        let reported = try paced(command, bmc, interruption)
        if command != .status { accepted() }
        let expected = expected ?? command.expectedStates
        guard !expected.isEmpty else {
            return Outcome(power: command == .status ? reported : .unknown, confirmed: nil)
        }
        let end = Date().addingTimeInterval(confirmTimeout)
        var state = PowerState.unknown
        var wanted = expected[...]
        repeat {
            if interruption?.isSet == true { throw .interrupted }
            state = try paced(.status, bmc, interruption)
            if state == wanted.first { wanted = wanted.dropFirst() }
            if wanted.isEmpty { return Outcome(power: state, confirmed: true) }
        } while Date() < end
        return Outcome(power: state, confirmed: false)
    }

    private func paced(_ command: PowerCommand, _ bmc: BMCEndpoint, _ interruption: Interruption?) throws(IPMIFailure) -> PowerState {
        let result: Result<PowerState, IPMIFailure>
        do {
            result = try pacer.paced(bmc) { () -> Result<PowerState, IPMIFailure> in
                Result { () throws(IPMIFailure) in try send(command, to: bmc, interruption) }
            }
        } catch {
            throw .failed(bmc: bmc.description, detail: "cannot keep the command interval: \(error)")
        }
        return try result.get()
    }

    /// Straight from here, or through the BMC's relay.
    private func send(_ command: PowerCommand, to bmc: BMCEndpoint, _ interruption: Interruption?) throws(IPMIFailure) -> PowerState {
        guard let relay = bmc.relay else { return try client.run(command, on: bmc) }
        guard let relayClient else { throw .relay(relay: relay, detail: "no way to reach relays in this run", outcome: .refused) }
        return try relayClient.run(command, on: bmc, via: relay, interruption: interruption)
    }
}
