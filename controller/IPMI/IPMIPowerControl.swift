import Foundation

/// One `pmctl ipmi` action on one BMC: the command, paced, then (for on, off, cycle and
/// reset) status polls until the BMC reports the expected state or `confirmTimeout` passes.
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
        /// Whether the expected state was seen; nil when there is nothing to confirm.
        public var confirmed: Bool?
    }

    /// - Parameter expected: the state to poll for; default the command's own (none for
    ///   `soft`, since an OS may ignore the ACPI request; a cancel through the BMC waits for off).
    public func perform(_ command: PowerCommand, on bmc: BMCEndpoint, expecting expected: PowerState? = nil) throws(IPMIFailure) -> Outcome {
        let reported = try paced(command, bmc)
        guard let expected = expected ?? command.expectedState else {
            return Outcome(power: command == .status ? reported : .unknown, confirmed: nil)
        }
        let end = Date().addingTimeInterval(confirmTimeout)
        var state = PowerState.unknown
        repeat {
            state = try paced(.status, bmc)
            if state == expected { return Outcome(power: state, confirmed: true) }
        } while Date() < end
        return Outcome(power: state, confirmed: false)
    }

    private func paced(_ command: PowerCommand, _ bmc: BMCEndpoint) throws(IPMIFailure) -> PowerState {
        let result: Result<PowerState, IPMIFailure>
        do {
            result = try pacer.paced(bmc) { () -> Result<PowerState, IPMIFailure> in
                Result { () throws(IPMIFailure) in try send(command, to: bmc) }
            }
        } catch {
            throw .failed(bmc: bmc.description, detail: "cannot keep the command interval: \(error)")
        }
        return try result.get()
    }

    /// Straight from here, or through the BMC's relay.
    private func send(_ command: PowerCommand, to bmc: BMCEndpoint) throws(IPMIFailure) -> PowerState {
        guard let relay = bmc.relay else { return try client.run(command, on: bmc) }
        guard let relayClient else { throw .relay(relay: relay, detail: "no way to reach relays in this run", outcome: .refused) }
        return try relayClient.run(command, on: bmc, via: relay)
    }
}
