#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PMProtocol

/// CANCEL (SEMANTICS.md): the guest stack, then WoL arming, then, when the host itself
/// acts, the users' notice and the host step. Everything that can refuse the request
/// (arguments, missing tools, sudo, an unknown guest) is checked before anything runs.
struct CancelHandler: RequestHandler {
    var context: AgentContext
    var arguments: CancelArguments

    func handle(id: String, reply: ReplyWriter) throws(AgentError) -> Completion {
        let runner = context.runner
        let host = context.facts.hostName
        let report: (Step) -> Void = { reply.send($0, id: id) }

        // 1. Plan and refuse early.
        let hostAction = arguments.hostActs ? try HostAction.plan(arguments, facts: context.facts, runner: runner) : nil
        let wantsWakeOnLan = arguments.wol || hostAction?.needsWakeOnLan == true
        if wantsWakeOnLan {
            // Asked with the arguments it will really get: sudoers pins them (`ethtool -s * wol g`),
            // and a rule with arguments never matches a bare `sudo -l ethtool`. Before the NIC is
            // picked, any name stands in for it: the rule's `*` is what is being asked about.
            try runner.requirePermission(.ethtool, ["-s", arguments.interface ?? "eth0", "wol", "g"], privileged: true)
        }
        let hypervisors = arguments.guestAction == .leave ? []
            : try StackSelection.hypervisors(for: arguments.type, configuration: context.configuration, runner: runner, log: context.log)
        let stack = GuestStack(hypervisors: hypervisors, log: context.log, report: report)
        try stack.validate(vm: arguments.vm)
        context.log.info("cancel \(arguments.method) on \(host)\(arguments.label.map { " (\($0))" } ?? ""): guests \(arguments.guestAction), host acts: \(hostAction != nil)")

        // 2. The stack, top-down before the host.
        var failures: [String] = []
        switch arguments.guestAction {
        case .shutdown:
            if try !stack.shutDown(timeout: arguments.guestTimeout, vm: arguments.vm, handled: arguments.handled) {
                failures.append("a guest could not be stopped")
            }
        case .reboot:
            if try !stack.reboot(vm: arguments.vm, handled: arguments.handled) { failures.append("a guest could not be rebooted") }
        case .destroy:
            if try !stack.destroy(vm: arguments.vm ?? "") { failures.append("the guest could not be destroyed") }
        case .abandon:
            stack.abandon()
        case .leave:
            break
        }

        // 3. WoL: armed whether or not the host goes down in this run.
        if wantsWakeOnLan {
            let arming = WakeOnLanArming(runner: runner, log: context.log, report: report)
            if !arming.arm(interface: arguments.interface, broadcast: arguments.broadcast) {
                failures.append("wake-on-LAN could not be armed")
            }
        }

        // A host that could not be made safe to take down stays up: a guest still running
        // would be cut, and a host that cannot be woken may need someone on site.
        guard failures.isEmpty else {
            let hostNote = hostAction == nil ? "" : "; \(host) was left up"
            throw AgentError(.toolFailed, failures.joined(separator: ", ") + hostNote + " (see the steps)",
                             ["tool": wantsWakeOnLan && failures.contains(where: { $0.hasPrefix("wake") }) ? "ethtool" : "hypervisor",
                              "exit": "step"])
        }
        guard let hostAction else { return Completion(["host": host]) }

        // 4. The users' notice, then the host step, reported before the action runs.
        notify(hostAction, host: host, label: arguments.label, report: report)
        var extra: Fields = ["delay": String(hostAction.delay)]
        extra.set("detail", hostAction.detail)
        report(Step("host", name: host, result: hostAction.result, extra: extra))
        return Completion(["host": host], hostAction: hostAction)
    }

    /// `wall` (message on stdin, so no text becomes an argument or is read as a file name)
    /// and a syslog line saying what happens when. A missing or failing `wall` does not
    /// stop the action: syslog still has it, and the step says so.
    private func notify(_ action: HostAction, host: String, label: String?, report: (Step) -> Void) {
        let when = action.delay == 0 ? "now" : "in \(action.delay) seconds"
        let run = label.map { " (run \($0))" } ?? ""
        let text = "pmagent: \(host) will \(action.verb) \(when), as requested through pmctl\(run). Save your work and log out."
        AgentLog.syslogLine(LOG_WARNING, text)
        context.log.info(text)
        var detail = "\(action.verb) \(when)"
        if context.runner.locate(.wall) == nil {
            detail += "; wall is not installed: syslog only"
        } else {
            do {
                let result = try context.runner.run(.wall, [], input: Array((text + "\n").utf8), timeout: 10)
                if result.exitCode != 0 { detail += "; wall failed with exit code \(result.exitCode): syslog only" }
            } catch {
                detail += "; wall: \(error.message): syslog only"
            }
        }
        let extra: Fields = ["detail": detail, "delay": String(action.delay)]
        report(Step("notice", name: host, result: "sent", extra: extra))
    }
}
