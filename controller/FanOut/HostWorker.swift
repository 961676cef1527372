import PMProtocol

/// Does one host's part of a run on the worker's own thread: connect, greet, request,
/// follow the progress, and for a cancel walk its stages and confirm the host's own
/// action. Every wait is bounded by the host's deadlines, so a dead or hanging host ends
/// on its own clock and never holds up another.
struct HostWorker {
    let context: HostContext
    let plan: ActionPlan
    let inventory: Inventory
    /// Where a `WOL,BROADCAST:` cancel stores the host's wake address.
    var learned: LearnedFacts? = nil
    /// `--ipmi-fallback`: the BMC acts when the host's agent is unreachable.
    var ipmiFallback: IPMIPowerControl? = nil

    func run() -> HostResult {
        do {
            switch plan {
            case .status: return try query(.ping)
            case .check: return try query(.check)
            case .info: return try query(.info)
            case .cancel(let arguments): return try cancel(arguments)
            case .wake, .console, .ipmi:
                return context.result(action: plan.name, .refused,
                                      message: "\(plan.name) has its own worker (WakeWorker, IPMIRunner, ConsoleLauncher); HostWorker never runs it")
            }
        } catch {
            return context.result(action: plan.name, error.outcome, message: error.message)
        }
    }

    // MARK: - Queries

    private func query(_ verb: Verb) throws(HostFailure) -> HostResult {
        let (client, deadline) = try context.open(context.host)
        defer { client.close() }
        let reply = try call(client, verb, deadline: deadline)
        var message = reply.message
        if verb == .ping, reply.isOK {
            let boot = reply.final.fields.text("boot") ?? "?"
            let uptime = reply.final.fields.text("uptime") ?? "?"
            message = "agent \(client.hello.agentVersion), boot \(boot), up \(uptime) s"
        }
        return context.result(action: plan.name, reply.outcome, message: message, facts: reply.final.fields, records: reply.records)
    }

    /// One request whose STEP and DATA lines go to the handlers as they arrive.
    private func call(_ client: AgentClient, _ verb: Verb, _ fields: Fields = Fields(), deadline: Deadline,
                      recordSteps: Bool = true) throws(HostFailure) -> AgentReply {
        // Journaled before it goes out: a crash after this line leaves the host "in doubt",
        // which retry does not resend on its own. Queries and a relay's magic packet are
        // harmless to repeat; a cancel is not.
        // And not sent when the journal could not record that.
        let changes = verb == .cancel
        if changes, let refusal = context.hub.announceSending(host: context.host.name, agent: client.hello.host) {
            throw HostFailure(.failed, refusal)
        }
        let reply: AgentReply
        do {
            reply = try client.call(verb, fields, deadline: deadline) { message in
                if message.kind == .step, let step = Step(message) {
                    if recordSteps { context.record(step) }
                } else if message.kind == .data {
                    context.hub.emit(.data(host: context.host.name, message.fields))
                }
            }
        } catch {
            // No final line (a timeout, the link closed): no `replied`, so the host stays in doubt.
            throw HostFailure(error.outcome, error.description)
        }
        if changes { context.hub.emit(.replied(host: context.host.name, agent: client.hello.host, accepted: reply.isOK)) }
        return reply
    }

    // MARK: - Cancel

    private func cancel(_ arguments: CancelArguments) throws(HostFailure) -> HostResult {
        let stages = StackPlanner.stages(for: context.host.name, arguments: arguments, inventory: inventory)
        // Guests that went down (or rebooted) through their own agents; the rest are left
        // to their parent's hypervisor.
        var done: Set<String> = []
        var last: (AgentReply, CancelStage)?
        for stage in stages {
            var stage = stage
            stage.arguments.handled = stage.arguments.handled.filter(done.contains)
            switch stage.role {
            case .guest:
                if try cancelGuest(stage) { done.insert(stage.agent) }
                if stage.agent == arguments.vm {
                    let ok = done.contains(stage.agent)
                    return context.result(action: plan.name, ok ? .ok : .failed,
                                          message: ok ? "" : "guest \(stage.agent) did not go down through its own agent")
                }
            case .executionHost:
                let reply: AgentReply
                do {
                    reply = try cancelHost(stage)
                } catch {
                    guard let ipmiFallback, error.outcome == .unreachable else { throw error }
                    // Refused: the host's kernel answered, so it runs; cutting its power (or an
                    // ACPI off that skips its stack) is not what a fallback for a dead host may do.
                    guard error.connect == .unreachable else {
                        throw HostFailure(error.outcome, error.message + " (--ipmi-fallback does not act: the host refused the "
                                          + "connection, so it is running; fix its sshd, or use 'pmctl ipmi' deliberately)")
                    }
                    return BMCFallback(context: context, control: ipmiFallback)
                        .run(stage.arguments, entry: inventory[host: context.host.name]?.ipmi, unreachable: error.message)
                }
                last = (reply, stage)
                if reply.isOK, stage.arguments.wol, let broadcast = stage.arguments.broadcast {
                    // S6: BROADCAST is remembered as the address to wake this host by.
                    do {
                        try learned?.storeWakeBroadcast(broadcast, for: context.host.name)
                    } catch {
                        context.record(Step("wol", name: context.host.name, result: "failed",
                                            extra: ["detail": "could not store wake address \(broadcast): \(error)"]))
                    }
                }
            }
        }
        guard let (reply, _) = last else { return context.result(action: plan.name, .ok) }
        if reply.isOK, let confirm = context.steps.last(where: { $0.step == "confirm" }), confirm.result == PowerConfirmer.Result.unconfirmed.rawValue {
            return context.result(action: plan.name, .failed, message: confirm.extra.text("detail") ?? "the host's action was not confirmed")
        }
        return context.result(action: plan.name, reply.outcome, message: reply.message)
    }

    /// The execution host's own request; then, if it acts itself, the confirmation.
    private func cancelHost(_ stage: CancelStage) throws(HostFailure) -> AgentReply {
        let host = context.host
        let (client, deadline) = try context.open(host)
        var closed = false
        defer { if !closed { client.close() } }
        var previousBoot: String?
        if stage.confirmation == .newBoot {
            let ping = try call(client, .ping, deadline: deadline, recordSteps: false)
            previousBoot = ping.final.fields.text("boot")
        }
        let reply = try call(client, .cancel, stage.arguments.fields, deadline: deadline)
        client.close()
        closed = true
        guard reply.isOK, let confirmation = stage.confirmation else { return reply }
        let confirmer = PowerConfirmer(context: context)
        let confirmDeadline = Deadline.after(seconds: Double(stage.arguments.delay) + context.settings.confirmTimeout)
        let result: PowerConfirmer.Result
        switch confirmation {
        case .down: result = confirmer.waitUntilDown(host, deadline: confirmDeadline)
        case .newBoot:
            if let previousBoot {
                result = confirmer.waitForNewBoot(host, previous: previousBoot, deadline: confirmDeadline)
            } else {
                result = .unconfirmed
            }
        }
        if context.interruption.isSet { throw HostFailure(.unfinished, "interrupted while confirming \(host.name)") }
        var extra = Fields()
        if result == .unconfirmed {
            let wanted = confirmation == .down ? "still answers" : "did not come back with a new boot id"
            extra.set("detail", "\(host.name) \(wanted) after \(Int(Double(stage.arguments.delay) + context.settings.confirmTimeout)) s")
        }
        context.record(Step("confirm", name: host.name, result: result.rawValue, extra: extra))
        return reply
    }

    /// One agent-running guest through its own agent. True when it went down (or
    /// rebooted); false leaves it to the parent's hypervisor. Never throws for the guest's
    /// own failures: those become a `vm ... failed` step.
    private func cancelGuest(_ stage: CancelStage) throws(HostFailure) -> Bool {
        if context.interruption.isSet { throw HostFailure(.unfinished, "interrupted") }
        let guest = context.resolver.host(stage.agent)
        let guestBudget = Double(stage.arguments.guestTimeout)
        func failed(_ detail: String) -> Bool {
            context.record(Step("vm", name: stage.agent, result: "failed", extra: ["detail": detail]))
            return false
        }
        let reply: AgentReply
        do {
            let (client, deadline) = try context.open(guest)
            defer { client.close() }
            reply = try call(client, .cancel, stage.arguments.fields, deadline: deadline, recordSteps: false)
        } catch {
            if error.outcome == .unfinished { throw error }
            return failed("through its own agent: \(error.message)")
        }
        guard reply.isOK else { return failed("through its own agent: \(reply.message)") }
        guard stage.confirmation == .down else {
            context.record(Step("vm", name: stage.agent, result: "rebooted"))
            return true
        }
        let result = PowerConfirmer(context: context).waitUntilDown(guest, deadline: .after(seconds: guestBudget))
        if context.interruption.isSet { throw HostFailure(.unfinished, "interrupted") }
        guard result == .down else {
            return failed("accepted poweroff but still answers after \(Int(guestBudget)) s; left to the hypervisor")
        }
        context.record(Step("vm", name: stage.agent, result: "shutdown"))
        return true
    }
}
