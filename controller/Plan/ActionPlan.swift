import PMProtocol

/// What one pmctl run does on each of its execution hosts, whichever form it was typed in
/// (a subcommand or the ctys form `-t TYPE -a ACTION=ARGS`).
public enum ActionPlan: Equatable, Sendable {
    /// `pmctl status`: the agent answers `ping` (boot id, uptime).
    case status
    /// `pmctl check`: which tools the agent has and may run.
    case check
    /// `pmctl info`: host facts.
    case info
    /// `cancel=...` / `pmctl cancel`: the stack, and with SELF the host.
    case cancel(CancelArguments)
    /// `create=WOL...` / `pmctl wake`.
    case wake(WakePlan)
    /// `create=CONSOLE:...` or `create=CONNECT`.
    case console(ConsolePlan)
    /// `pmctl ipmi HOSTS VERB`, and `create=IPMI` (power on): through each host's BMC.
    case ipmi(PowerCommand, label: String?)

    /// The action's name in results (`"action":"cancel"`).
    public var name: String {
        switch self {
        case .status: "status"
        case .check: "check"
        case .info: "info"
        case .cancel: "cancel"
        case .wake: "wake"
        case .console: "console"
        case .ipmi: "ipmi"
        }
    }

    /// The run's display label (`L:`/`1:`), which never selects a machine.
    public var label: String? {
        switch self {
        case .cancel(let arguments): arguments.label
        case .wake(let plan): plan.label
        case .console(let plan): plan.label
        case .ipmi(_, let label): label
        case .status, .check, .info: nil
        }
    }

    /// The per-host deadline from connected to final result when `--timeout` is not given
    /// (CONTRACT.md: 10 for queries, 120 for cancel, 180 for wake).
    public var defaultTimeout: Double {
        switch self {
        case .status, .check, .info: 10
        case .cancel: 120
        case .wake, .console, .ipmi: 180
        }
    }
}
