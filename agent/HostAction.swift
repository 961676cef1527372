import PMProtocol

/// What the execution host itself does at the end of a CANCEL, decided and checked before
/// anything else runs: the `host` step's result, and the exact command the detached child
/// will run after `delay` seconds.
struct HostAction: Equatable, Sendable {
    /// `poweroff-accepted`, `reboot-accepted`, `init-accepted`, `suspend-accepted`, `hibernate-accepted`.
    var result: String
    /// What people read in the notice: "power off", "reboot", ...
    var verb: String
    /// The argv, absolute path first, `sudo -n` in front for a non-root agent.
    var command: [String]
    /// Seconds between the users' notice and the action.
    var delay: Int
    /// Why this action (e.g. a PAUSE that fell back to power off), for the step's `detail`.
    var detail: String?
    /// Whether WoL must be armed first (PAUSE/SUSPEND: the host is meant to come back).
    var needsWakeOnLan: Bool

    /// Picks the host's action for `method`, finds its tool and checks that the agent may
    /// run it, so a refusal comes before any guest is touched.
    ///
    /// POWEROFF and REBOOT use `poweroff`/`reboot`, else `systemctl`, else `shutdown`;
    /// INIT:n uses `init n`. PAUSE/SUSPEND suspend to RAM/disk through `systemctl` when
    /// `/sys/power/state` offers `mem`/`disk` and systemd runs the host; otherwise they
    /// power off with WoL armed (SEMANTICS.md: do better than ctys, and say which happened).
    /// The delay is never handed to `shutdown -h +M`, which counts whole minutes: the
    /// detached child sleeps `delay` seconds itself and then runs the plain command.
    static func plan(_ arguments: CancelArguments, facts: HostFacts, runner: ToolRunner) throws(AgentError) -> HostAction {
        let delay = arguments.delay
        switch arguments.method {
        case .poweroff:
            return try powerOff(delay: delay, runner: runner, detail: nil, wol: false)
        case .reboot, .reset:
            let command = try firstAllowed([(.reboot, []), (.systemctl, ["reboot"]), (.shutdown, ["-r", "now"])], runner: runner)
            return HostAction(result: "reboot-accepted", verb: "reboot", command: command, delay: delay, detail: nil, needsWakeOnLan: false)
        case .initLevel(let level):
            let command = try firstAllowed([(.initTool, [String(level)])], runner: runner)
            return HostAction(result: "init-accepted", verb: "switch to run level \(level)", command: command, delay: delay,
                              detail: nil, needsWakeOnLan: false)
        case .pause, .suspend:
            let toRAM = arguments.method == .pause
            let state = toRAM ? "mem" : "disk"
            let what = toRAM ? "suspend to RAM" : "suspend to disk"
            guard facts.powerStates.contains(state) else {
                return try powerOff(delay: delay, runner: runner,
                                    detail: "\(what) unavailable (/sys/power/state offers no \(state)): powered off with WoL armed instead",
                                    wol: true)
            }
            guard facts.runsSystemd, runner.locate(.systemctl) != nil else {
                return try powerOff(delay: delay, runner: runner,
                                    detail: "\(what) needs systemctl on a systemd host: powered off with WoL armed instead",
                                    wol: true)
            }
            let command = try firstAllowed([(.systemctl, [toRAM ? "suspend" : "hibernate"])], runner: runner)
            return HostAction(result: toRAM ? "suspend-accepted" : "hibernate-accepted", verb: what, command: command,
                              delay: delay, detail: what, needsWakeOnLan: true)
        }
    }

    private static func powerOff(delay: Int, runner: ToolRunner, detail: String?, wol: Bool) throws(AgentError) -> HostAction {
        let command = try firstAllowed([(.poweroff, []), (.systemctl, ["poweroff"]), (.shutdown, ["-h", "now"])], runner: runner)
        return HostAction(result: "poweroff-accepted", verb: "power off", command: command, delay: delay, detail: detail,
                          needsWakeOnLan: wol)
    }

    /// The first installed candidate, which the agent must also be allowed to run: a
    /// detached action cannot report a refusal later.
    private static func firstAllowed(_ candidates: [(Tool, [String])], runner: ToolRunner) throws(AgentError) -> [String] {
        guard let (tool, arguments) = candidates.first(where: { runner.locate($0.0) != nil }) else {
            throw AgentError.toolMissing(candidates[0].0.rawValue, candidates.count == 1 ? nil
                : "none of \(candidates.map(\.0.rawValue).joined(separator: ", ")) is installed")
        }
        try runner.requirePermission(tool, arguments)
        return try runner.commandLine(tool, arguments)
    }
}
