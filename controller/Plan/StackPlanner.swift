import PMProtocol

/// Orders a cancel into stages (SEMANTICS.md, "CANCEL"): the inventory's agent-running
/// guests of the execution host go down through their own agents first, recursively and
/// deepest first; then the host's own request names them in `handled=` so its hypervisor
/// leaves them be, and cancels the rest of the stack (and with SELF the host itself).
public enum StackPlanner {
    public static func stages(for host: String, arguments: CancelArguments, inventory: Inventory) -> [CancelStage] {
        // One guest selected (I:<name>): through its own agent when it has one, unless
        // FORCE asks the hypervisor to destroy it.
        if let vm = arguments.vm {
            if inventory.hosts[vm] != nil, !arguments.force {
                return guestStages(vm, parent: host, action: arguments.guestAction, template: arguments, inventory: inventory)
            }
            return [CancelStage(agent: host, role: .executionHost, arguments: arguments, confirmation: nil)]
        }
        var stages: [CancelStage] = []
        var hostArguments = arguments
        switch arguments.guestAction {
        case .shutdown, .reboot:
            let direct = directAgentGuests(of: host, inventory: inventory)
            for guest in direct {
                stages += guestStages(guest, parent: host, action: arguments.guestAction, template: arguments, inventory: inventory)
            }
            hostArguments.handled = direct
        case .leave, .abandon, .destroy:
            break
        }
        stages.append(CancelStage(agent: host, role: .executionHost, arguments: hostArguments,
                                  confirmation: confirmation(for: hostArguments)))
        return stages
    }

    /// The guest's own agent-running guests first, then the guest itself.
    static func guestStages(_ guest: String, parent: String, action: CancelArguments.GuestAction,
                            template: CancelArguments, inventory: Inventory) -> [CancelStage] {
        var stages: [CancelStage] = []
        let inner = directAgentGuests(of: guest, inventory: inventory)
        for nested in inner {
            stages += guestStages(nested, parent: guest, action: action, template: template, inventory: inventory)
        }
        var arguments = CancelArguments()
        // A guest gets the guest action as its own host action, at once: the notice
        // delay belongs to the execution host only.
        arguments.method = action == .reboot ? .reboot : .poweroff
        arguments.delay = 0
        arguments.includeSelf = true
        arguments.guestTimeout = template.guestTimeout
        arguments.type = inventory.hosts[guest]?.hypervisor?.stackType ?? .pm
        arguments.label = template.label
        arguments.handled = inner
        stages.append(CancelStage(agent: guest, role: .guest(parent: parent), arguments: arguments,
                                  confirmation: action == .reboot ? nil : .down))
        return stages
    }

    /// Guests in `vms` that are inventory hosts (so run an agent), minus loops.
    static func directAgentGuests(of host: String, inventory: Inventory) -> [String] {
        (inventory.hosts[host]?.vms ?? []).filter { $0 != host && inventory.hosts[$0] != nil }
    }

    static func confirmation(for arguments: CancelArguments) -> CancelStage.Confirmation? {
        guard arguments.hostActs, arguments.vm == nil else { return nil }
        switch arguments.method {
        case .reboot, .reset, .initLevel(6): return .newBoot
        case .poweroff, .pause, .suspend, .initLevel(0): return .down
        case .initLevel: return nil
        }
    }
}
