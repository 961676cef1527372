import PMProtocol

/// `--ipmi-fallback`: a cancel whose execution host gives no TCP answer at all (connect
/// timeout, no route, host unreachable), and whose host would act itself (SELF, FORCE,
/// INIT), is done through the host's BMC instead, then confirmed by polling the BMC's power
/// status. No notice can reach the users and no guest is asked first: the agent that would
/// do both is not there. A refused connection never gets here: the host's kernel answered,
/// so it is running (HostWorker).
///
/// | method | BMC commands | seen before `ok` |
/// |---|---|---|
/// | POWEROFF, INIT:0 | `soft` (ACPI: the OS shuts down cleanly); with FORCE `off` | off |
/// | REBOOT, INIT:6 | `off`, then `on` once off is seen (reported as `cycle`) | off, then on |
/// | RESET | `reset` | nothing can be: `confirm ... unconfirmed`, `failed` |
/// | PAUSE, SUSPEND, other INIT levels | none: refused, a BMC cannot do them | |
///
/// A reboot is an explicit off and on rather than `chassis power cycle`: a BMC's cycle can
/// be off for less than the pacing between two status polls, and then "on" proves nothing.
struct BMCFallback {
    let context: HostContext
    let control: IPMIPowerControl

    /// What the BMC is told for a cancel method.
    struct Action {
        /// The commands in order, each with the states that confirm it.
        var commands: [(command: PowerCommand, expected: [PowerState])]
        /// The `command` the result's steps name.
        var label: PowerCommand
        /// The `host` step's result.
        var result: String
    }

    /// nil when a BMC cannot do what was asked.
    static func action(for arguments: CancelArguments) -> Action? {
        switch arguments.method {
        case .poweroff, .initLevel(0):
            let command: PowerCommand = arguments.force ? .off : .soft
            return Action(commands: [(command, [.off])], label: command, result: "poweroff-accepted")
        case .reboot, .initLevel(6): return Action(commands: [(.off, [.off]), (.on, [.on])], label: .cycle, result: "reboot-accepted")
        case .reset: return Action(commands: [(.reset, [])], label: .reset, result: "reboot-accepted")
        case .pause, .suspend, .initLevel: return nil
        }
    }

    /// The host's result once its agent could not be reached (`unreachable` says why).
    func run(_ arguments: CancelArguments, entry: IPMIEntry?, unreachable: String) -> HostResult {
        let host = context.host.name
        guard arguments.hostActs else {
            return context.result(action: "cancel", .unreachable,
                                  message: "\(unreachable) (--ipmi-fallback acts only when the host itself goes down: --self, --force or init)")
        }
        guard let entry else {
            return context.result(action: "cancel", .unreachable, message: "\(unreachable) (no ipmi entry in the inventory for --ipmi-fallback)")
        }
        guard let action = Self.action(for: arguments) else {
            return context.result(action: "cancel", .unreachable,
                                  message: "\(unreachable) (--ipmi-fallback cannot \(arguments.method) through a BMC; it does poweroff, reboot, reset, init:0 and init:6)")
        }
        if context.interruption.isSet { return context.result(action: "cancel", .unfinished, message: "interrupted before the BMC was told") }
        let bmc = BMCEndpoint(entry)
        // Journaled as sent first, as a request to an agent is: from here on the host may act.
        if let refusal = context.hub.announceSending(host: host, agent: bmc.description) {
            return context.result(action: "cancel", .failed, message: "\(unreachable); \(refusal)")
        }
        let via: Fields = ["via": "bmc", "bmc": bmc.description, "command": action.label.rawValue]
        var outcome = IPMIPowerControl.Outcome(power: .unknown, confirmed: nil)
        var accepted = false
        for (index, step) in action.commands.enumerated() {
            do {
                outcome = try control.perform(step.command, on: bmc, expecting: step.expected, interruption: context.interruption) {
                    guard index == 0 else { return }
                    accepted = true
                    context.hub.emit(.replied(host: host, agent: bmc.description, accepted: true))
                    var detail = via
                    detail.set("detail", "agent unreachable; chassis power \(action.commands.map(\.command.rawValue).joined(separator: ", then ")) through the BMC")
                    context.record(Step("host", name: host, result: action.result, extra: detail))
                }
            } catch {
                if !accepted, error.nothingWasDone { context.hub.emit(.replied(host: host, agent: bmc.description, accepted: false)) }
                if accepted { context.record(Step("power", name: host, result: PowerState.unknown.rawValue, extra: via)) }
                return context.result(action: "cancel", error.outcome, message: "\(unreachable); through the BMC: \(error.description)")
            }
            if outcome.confirmed == false { break }
        }
        context.record(Step("power", name: host, result: outcome.power.rawValue, extra: via))
        switch outcome.confirmed {
        case true?:
            let seen = action.commands.flatMap(\.expected).map(\.rawValue).joined(separator: ", then ")
            return context.result(action: "cancel", .ok,
                                  message: "agent unreachable; done through the BMC \(bmc) (chassis power \(action.label.rawValue)), seen \(seen)")
        case false?:
            return context.result(action: "cancel", .failed,
                                  message: "agent unreachable; BMC \(bmc) accepted chassis power \(action.label.rawValue) but did not report "
                                  + "\(action.commands.flatMap(\.expected).map(\.rawValue).joined(separator: ", then ")) within \(Int(control.confirmTimeout)) s (now \(outcome.power.rawValue))")
        case nil:
            // A reset keeps the power on: the BMC cannot show it happened, and the agent that
            // could (a new boot id) is unreachable.
            let detail = "a \(action.label.rawValue) does not show in the BMC's power state and \(host)'s agent is unreachable: check the host"
            context.record(Step("confirm", name: host, result: PowerConfirmer.Result.unconfirmed.rawValue, extra: ["detail": detail]))
            return context.result(action: "cancel", .failed,
                                  message: "agent unreachable; BMC \(bmc) accepted chassis power \(action.label.rawValue), not confirmed: \(detail)")
        }
    }
}
