import PMProtocol

/// The guests of the execution host across its hypervisors, and what CANCEL does to them.
/// Each call reports one `vm` step per guest through `report`, as it happens.
struct GuestStack {
    var hypervisors: [any Hypervisor]
    var log: AgentLog
    var report: (Step) -> Void
    /// How often a shutdown's progress is polled.
    var pollInterval = 0.2

    private struct Target {
        var hypervisor: any Hypervisor
        var guest: Guest
    }

    /// The guests to act on: every active one, or just `vm` (any state) when one is selected.
    /// An unknown `vm` is a bad argument: nothing ran yet.
    private func targets(vm: String?) throws(AgentError) -> [Target] {
        var all: [Target] = []
        for hypervisor in hypervisors {
            for guest in try hypervisor.guests() { all.append(Target(hypervisor: hypervisor, guest: guest)) }
        }
        guard let vm else { return all.filter(\.guest.isActive) }
        let chosen = all.filter { $0.guest.name == vm }
        guard !chosen.isEmpty else {
            let kinds = hypervisors.map(\.kind).joined(separator: ", ")
            throw AgentError(.badArgument, "vm: no guest named '\(vm)' on this host (looked in: \(kinds.isEmpty ? "no hypervisor found" : kinds))",
                             ["key": "vm"])
        }
        return chosen
    }

    /// Checks that a selected guest exists before anything else runs.
    func validate(vm: String?) throws(AgentError) {
        if vm != nil { _ = try targets(vm: vm) }
    }

    /// All guests get the graceful call at once; each is then waited for up to `timeout`
    /// seconds (reported `shutdown` as it goes down) and those still up are destroyed
    /// (`forced`). Guests in `handled` were already cancelled by the controller through
    /// their own agents: they get no call of ours, but the host still waits for them.
    /// - Returns: whether every guest went down.
    func shutDown(timeout: Int, vm: String?, handled: [String]) throws(AgentError) -> Bool {
        let start = Clock.now()
        var pending: [Target] = []
        var callErrors: [String: String] = [:]
        for target in try targets(vm: vm) {
            guard target.guest.isActive else {
                report(step(target, "already-off"))
                continue
            }
            pending.append(target)
            if handled.contains(target.guest.name) { continue }
            do {
                try target.hypervisor.shutdown(target.guest.name)
            } catch {
                // Still waited for: a guest that refuses the call is destroyed like one that ignores it.
                log.warning("\(target.hypervisor.kind) guest \(target.guest.name): shutdown call failed: \(error.message)")
                callErrors[target.guest.name] = error.message
            }
        }

        let deadline = start + Double(timeout)
        while !pending.isEmpty {
            var stillActive: [Target] = []
            for hypervisor in Set(pending.map { ObjectIdentifier($0.hypervisor) }) {
                let members = pending.filter { ObjectIdentifier($0.hypervisor) == hypervisor }
                let active: Set<String>
                do {
                    active = Set(try members[0].hypervisor.guests().filter(\.isActive).map(\.name))
                } catch {
                    log.warning("cannot list \(members[0].hypervisor.kind) guests: \(error.message)")
                    stillActive += members
                    continue
                }
                for target in members {
                    if active.contains(target.guest.name) {
                        stillActive.append(target)
                    } else if !handled.contains(target.guest.name) {
                        report(step(target, "shutdown", ["elapsed_ms": String(Clock.milliseconds(since: start))]))
                    }
                }
            }
            pending = stillActive
            if pending.isEmpty || Clock.now() >= deadline { break }
            Clock.sleep(min(pollInterval, max(0, deadline - Clock.now())))
        }

        var allDown = true
        for target in pending {
            var detail = "still running after \(timeout) s"
            if let callError = callErrors[target.guest.name] { detail += "; shutdown call failed: \(callError)" }
            if handled.contains(target.guest.name) { detail += "; cancelled through its own agent" }
            do {
                try target.hypervisor.destroy(target.guest.name)
                report(step(target, "forced", ["detail": detail]))
            } catch {
                allDown = false
                report(step(target, "failed", ["detail": "\(detail); destroy failed: \(error.message)"]))
            }
        }
        return allDown
    }

    /// Reboots every running guest (or `vm`); the host stays up. Guests in `handled` were
    /// already rebooted by the controller through their own agents: they are left alone.
    /// - Returns: whether every reboot call succeeded.
    func reboot(vm: String?, handled: [String] = []) throws(AgentError) -> Bool {
        var allOK = true
        for target in try targets(vm: vm) where !handled.contains(target.guest.name) {
            guard target.guest.isActive else {
                report(step(target, "already-off"))
                continue
            }
            do {
                try target.hypervisor.reboot(target.guest.name)
                report(step(target, "rebooted"))
            } catch {
                allOK = false
                report(step(target, "failed", ["detail": "reboot failed: \(error.message)"]))
            }
        }
        return allOK
    }

    /// FORCE on a selected guest: destroyed at once, no graceful call.
    func destroy(vm: String) throws(AgentError) -> Bool {
        var allOK = true
        for target in try targets(vm: vm) {
            guard target.guest.isActive else {
                report(step(target, "already-off"))
                continue
            }
            do {
                try target.hypervisor.destroy(target.guest.name)
                report(step(target, "destroyed"))
            } catch {
                allOK = false
                report(step(target, "failed", ["detail": "destroy failed: \(error.message)"]))
            }
        }
        return allOK
    }

    /// FORCE on the host: the guests are not touched and die with it; each running one is
    /// listed as `abandoned` so the operator sees what was cut. A listing that fails does
    /// not hold up a forced action: it is logged.
    func abandon() {
        for hypervisor in hypervisors {
            do {
                for guest in try hypervisor.guests() where guest.isActive {
                    report(step(Target(hypervisor: hypervisor, guest: guest), "abandoned"))
                }
            } catch {
                log.warning("cannot list \(hypervisor.kind) guests to report them abandoned: \(error.message)")
            }
        }
    }

    private func step(_ target: Target, _ result: String, _ extra: Fields = Fields()) -> Step {
        var fields: Fields = ["hypervisor": target.hypervisor.kind]
        for field in extra { fields[field.key] = field.value }
        return Step("vm", name: target.guest.name, result: result, extra: fields)
    }
}
