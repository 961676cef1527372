import PMProtocol

/// `pmctl ipmi HOSTS VERB`: one power command per host's BMC, fanned out like any other
/// action (same events, renderers and outcomes), with its own, smaller fan-out: BMCs are
/// slow and some fall over when many sessions arrive at once.
public struct IPMIRunner: Sendable {
    public var command: PowerCommand
    public var inventory: Inventory
    public var control: IPMIPowerControl
    public var fanout: Int

    public init(command: PowerCommand, inventory: Inventory, control: IPMIPowerControl, fanout: Int = 16) {
        self.command = command
        self.inventory = inventory
        self.control = control
        self.fanout = fanout
    }

    public func run(hosts: [ResolvedHost], runID: String = RunID.make(), commandLine: String = "",
                    handlers: [any EventHandler], interruption: Interruption = Interruption()) async -> RunReport {
        let hub = EventHub(handlers)
        let task = FanOutTask(fanout: fanout, hub: hub, interruption: interruption)
        let info = RunInfo(runID: runID, action: "ipmi", command: commandLine, hosts: hosts.map(\.name))
        let (command, inventory, control) = (self.command, self.inventory, self.control)
        return await task.run(info, hosts: hosts) { host in
            let started = ContinuousClock.now
            func finish(_ outcome: Outcome, _ message: String, power: PowerState? = nil) -> HostResult {
                var steps: [Step] = []
                if let power {
                    let step = Step("power", name: host.name, result: power.rawValue)
                    hub.emit(.step(host: host.name, step))
                    steps.append(step)
                }
                let milliseconds = (ContinuousClock.now - started).wholeMilliseconds
                // FanOutTask emits `started` and `finished` itself.
                return HostResult(host: host.name, action: "ipmi", outcome: outcome, elapsedMilliseconds: milliseconds,
                                  steps: steps, message: message)
            }
            guard let entry = inventory[host: host.name]?.ipmi else {
                return finish(.refused, "no ipmi entry for \(host.name) in the inventory (ipmi: {address: ..., user: ..., password_file: ...})")
            }
            let bmc = BMCEndpoint(entry)
            if command != .status {
                if interruption.isSet { return finish(.unfinished, "interrupted before the command went out") }
                // Journaled first: after a crash from here on, the BMC may have acted.
                if let refusal = hub.announceSending(host: host.name, agent: bmc.description) { return finish(.failed, refusal) }
            }
            let replied = { (accepted: Bool) in
                if command != .status { hub.emit(.replied(host: host.name, agent: bmc.description, accepted: accepted)) }
            }
            do throws(IPMIFailure) {
                let outcome = try control.perform(command, on: bmc, interruption: interruption) { replied(true) }
                switch outcome.confirmed {
                case false?:
                    let seen = command.expectedStates.map(\.rawValue).joined(separator: ", then ")
                    return finish(.failed, "BMC \(bmc) accepted '\(command.rawValue)' but did not report \(seen) within \(Int(control.confirmTimeout)) s (now \(outcome.power.rawValue))",
                                  power: outcome.power)
                default:
                    let note = switch command {
                    case .status: "power \(outcome.power.rawValue)"
                    case .cycle: "cycle done: seen off, then on"
                    case .reset, .soft: "\(command.rawValue) accepted by the BMC (its effect does not show in the power state)"
                    case .on, .off: "\(command.rawValue) done"
                    }
                    return finish(.ok, note, power: outcome.power)
                }
            } catch {
                if error.nothingWasDone { replied(false) }
                // Whatever is wrong on our side (no password, no ipmitool) never reached the BMC.
                return finish(error.outcome, error.description, power: error.outcome == .refused ? nil : .unknown)
            }
        }
    }
}
