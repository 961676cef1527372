import PMProtocol

/// `--ipmi-fallback`: a cancel whose execution host's agent is unreachable, and whose host
/// would act itself (SELF, FORCE, INIT), is done through the host's BMC instead, then
/// confirmed by polling the BMC's power status, as `pmctl ipmi` does. No notice can reach
/// the users and no guest is asked first: the agent that would do both is not there.
///
/// | method | BMC command | waited for |
/// |---|---|---|
/// | POWEROFF, INIT:0 | `soft` (ACPI: the OS shuts down cleanly); with FORCE `off` | off |
/// | REBOOT, INIT:6 | `cycle` | on |
/// | RESET | `reset` | on |
/// | PAUSE, SUSPEND, other INIT levels | none: refused, a BMC cannot do them | |
struct BMCFallback {
    let context: HostContext
    let control: IPMIPowerControl

    /// What the BMC is told for `arguments`, the state to wait for, and the `host` step's
    /// result; nil when a BMC cannot do what was asked.
    static func command(for arguments: CancelArguments) -> (command: PowerCommand, expected: PowerState, result: String)? {
        switch arguments.method {
        case .poweroff, .initLevel(0): (arguments.force ? .off : .soft, .off, "poweroff-accepted")
        case .reboot, .initLevel(6): (.cycle, .on, "reboot-accepted")
        case .reset: (.reset, .on, "reboot-accepted")
        case .pause, .suspend, .initLevel: nil
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
        guard let (command, expected, hostResult) = Self.command(for: arguments) else {
            return context.result(action: "cancel", .unreachable,
                                  message: "\(unreachable) (--ipmi-fallback cannot \(arguments.method) through a BMC; it does poweroff, reboot, reset, init:0 and init:6)")
        }
        let bmc = BMCEndpoint(entry)
        let via: Fields = ["via": "bmc", "bmc": bmc.description, "command": command.rawValue]
        let outcome: IPMIPowerControl.Outcome
        do {
            outcome = try control.perform(command, on: bmc, expecting: expected)
        } catch {
            return context.result(action: "cancel", error.outcome, message: "\(unreachable); through the BMC: \(error.description)")
        }
        var accepted = via
        accepted.set("detail", "agent unreachable; chassis power \(command.rawValue) through the BMC")
        context.record(Step("host", name: host, result: hostResult, extra: accepted))
        context.record(Step("power", name: host, result: outcome.power.rawValue, extra: via))
        guard outcome.confirmed == true else {
            return context.result(action: "cancel", .failed,
                                  message: "agent unreachable; BMC \(bmc) accepted chassis power \(command.rawValue) but still reports \(outcome.power.rawValue) after \(Int(control.confirmTimeout)) s")
        }
        return context.result(action: "cancel", .ok,
                              message: "agent unreachable; done through the BMC \(bmc) (chassis power \(command.rawValue)), power now \(outcome.power.rawValue)")
    }
}
