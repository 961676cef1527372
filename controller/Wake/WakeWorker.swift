import Foundation
import PMProtocol

/// Wakes one machine and waits for it (SEMANTICS.md, "CREATE"): if its agent already
/// answers, `already-up`; else the magic packet goes out, from a relay agent on the
/// target's segment or from this host, and the worker polls TCP reachability, then the
/// agent's greeting, which alone proves the OS booted. The context's host is the target.
struct WakeWorker {
    let context: HostContext
    let plan: WakePlan
    let inventory: Inventory
    /// The execution host that sends the packet: `T:`'s relay, `--via`, the inventory's
    /// `relay`; nil: this host sends.
    let relay: ResolvedHost?
    let pacer: SendPacer
    let learned: LearnedFacts?

    func run() -> HostResult {
        do {
            return try wake()
        } catch {
            return result(error.outcome, error.message)
        }
    }

    private var target: ResolvedHost { context.host }

    private func wake() throws(HostFailure) -> HostResult {
        // Already up? Only the agent's greeting counts, never a ping or an open port.
        if greets(within: min(context.settings.connectTimeout, 3)) {
            context.record(Step("wake", name: target.name, result: "already-up"))
            return result(.ok, plan.reuse ? "already up (REUSE)" : "already up; no packet sent")
        }
        let mac = try targetMAC()
        if plan.delay > 0 { Thread.sleep(forTimeInterval: Double(plan.delay)) }
        pacer.waitForTurn()
        let sent = ContinuousClock.now
        try send(mac)
        guard plan.wait else { return result(.ok, "magic packet sent for \(mac)") }

        let deadline = Deadline.after(seconds: context.settings.actionTimeout)
        var lastSeen = "no TCP answer on port \(target.port)"
        while !deadline.hasPassed {
            if context.interruption.isSet { throw HostFailure(.unfinished, "interrupted while waiting for \(target.name)") }
            if TCPProbe.accepts(target.address, port: target.port, within: min(1, max(0.05, deadline.remaining))) {
                lastSeen = "TCP port \(target.port) answers, but no agent greeting"
                if greets(within: min(context.settings.connectTimeout, max(0.05, deadline.remaining))) {
                    let elapsed = ContinuousClock.now - sent
                    let milliseconds = elapsed.wholeMilliseconds
                    context.record(Step("wake", name: target.name, result: "up", extra: ["elapsed_ms": String(milliseconds)]))
                    return result(.ok, "up after \(String(format: "%.1f", Double(milliseconds) / 1000)) s")
                }
            }
            // PING:<n>%<s> sets the spacing; never slower than 1 s, so "up" is seen promptly.
            pause(seconds: min(Double(plan.ping.interval), 1), until: deadline)
        }
        return result(.timeout, "\(target.name) did not come up in \(Int(context.settings.actionTimeout)) s; last seen: \(lastSeen)")
    }

    /// `M:`/`--mac`, else the inventory's, else what `pmctl learn` stored.
    private func targetMAC() throws(HostFailure) -> MACAddress {
        if let mac = plan.mac { return mac }
        if let mac = inventory[host: target.name]?.macs.first { return mac }
        if let mac = learned?.macs(of: target.name).first { return mac }
        throw HostFailure(.refused, "no MAC address for \(target.name): give M:<mac> (or --mac), set 'mac' in the inventory, or run 'pmctl learn \(target.name)' while it is up")
    }

    private func send(_ mac: MACAddress) throws(HostFailure) {
        let entry = inventory[host: target.name]
        let broadcastName = plan.broadcast
            ?? (plan.interface == nil ? entry?.broadcast ?? learned?.facts(of: target.name)?.broadcast : nil)
        let broadcast = try broadcastName.map { name throws(HostFailure) in try BroadcastResolver(inventory: inventory).resolve(name) }
        if let relay {
            // The relay sends on its own segment; its interface for a raw frame is its own.
            let interface = plan.interface ?? inventory[host: relay.name]?.interface
            let arguments: WakeArguments
            do { arguments = try plan.arguments(mac: mac, broadcastAddress: broadcast, interface: interface) } catch {
                throw HostFailure(.refused, error.message)
            }
            let (client, deadline) = try context.open(relay)
            defer { client.close() }
            let reply: AgentReply
            do {
                reply = try client.call(.wake, arguments.fields, deadline: deadline) { message in
                    if message.kind == .step, let sent = Step(message) {
                        // The relay names the MAC; a result's wake step names the woken host.
                        var step = Step(sent.step, name: target.name, result: sent.result, extra: sent.extra)
                        step.extra.set("mac", sent.name)
                        step.extra.set("via", relay.name)
                        context.record(step)
                    }
                }
            } catch {
                throw HostFailure(error.outcome, "relay \(relay.name): \(error.description)")
            }
            guard reply.isOK else { throw HostFailure(reply.outcome, "relay \(relay.name): \(reply.message)") }
            return
        }
        let packet = MagicPacket(target: mac, password: plan.secureOn)
        do {
            if let broadcast {
                try MagicPacketSender.sendDatagram(packet, to: broadcast, ports: plan.ports)
                context.record(Step("wake", name: target.name, result: "sent",
                                    extra: ["detail": "udp \(broadcast) port \(plan.ports.map(String.init).joined(separator: ","))",
                                            "mac": mac.description]))
            } else if let interface = plan.interface ?? entry?.interface {
                _ = try MagicPacketSender.sendFrame(packet, interface: interface, destination: mac)
                context.record(Step("wake", name: target.name, result: "sent",
                                    extra: ["detail": "raw frame on \(interface)", "mac": mac.description]))
            } else {
                throw HostFailure(.refused, "no way to send the magic packet for \(target.name): give BROADCAST:<addr> or IF:<iface> (or set broadcast, interface or relay in the inventory)")
            }
        } catch let failure as HostFailure {
            throw failure
        } catch {
            throw HostFailure(.failed, "sending the magic packet: \(error)")
        }
    }

    /// Whether the target's agent greets within `seconds`.
    private func greets(within seconds: Double) -> Bool {
        let deadline = Deadline.after(seconds: seconds)
        guard let link = try? context.connector.connect(to: target, deadline: deadline, interruption: context.interruption) else { return false }
        defer { link.close() }
        return (try? AgentClient.greet(over: link, deadline: deadline, interruption: context.interruption)) != nil
    }

    private func pause(seconds: Double, until deadline: Deadline) {
        let end = Deadline.after(seconds: seconds).earlier(deadline)
        while !end.hasPassed, !context.interruption.isSet { Thread.sleep(forTimeInterval: min(0.05, end.remaining)) }
    }

    private func result(_ outcome: Outcome, _ message: String) -> HostResult {
        var result = context.result(action: "wake", outcome, message: message)
        result.via = relay?.name
        return result
    }
}
