import Foundation
import PMProtocol

/// After an accepted poweroff or reboot, finds out whether it happened: the agent stops
/// answering, or answers again with a new boot id. Probes are fresh connections, each
/// bounded by the connect timeout, until the deadline.
struct PowerConfirmer {
    let context: HostContext

    enum Result: String {
        case down
        case upNewBoot = "up-new-boot"
        case unconfirmed
    }

    /// Whether `agent` stops answering before `deadline`.
    func waitUntilDown(_ agent: ResolvedHost, deadline: Deadline) -> Result {
        while !context.interruption.isSet {
            let probeDeadline = Deadline.after(seconds: context.settings.connectTimeout).earlier(deadline)
            do {
                let link = try context.connector.connect(to: agent, deadline: probeDeadline, interruption: context.interruption)
                defer { link.close() }
                do {
                    _ = try AgentClient.greet(over: link, deadline: probeDeadline, interruption: context.interruption)
                } catch {
                    // Connected but no greeting: the agent is going or gone.
                    if case .closed = error { return .down }
                    if case .timeout = error { return .down }
                }
            } catch {
                // Only "nobody there" proves the host went down; a refused key or a changed
                // host key means something still answers, so keep looking until the deadline.
                // A refused connection counts too: the host's sshd is gone (the lab's down hosts
                // keep their kernel and refuse).
                if error.kind == .unreachable || error.kind == .connectionRefused { return .down }
            }
            if !pause(until: deadline) { return .unconfirmed }
        }
        return .unconfirmed
    }

    /// Whether `agent` answers with a boot id other than `previous` before `deadline`.
    func waitForNewBoot(_ agent: ResolvedHost, previous: String, deadline: Deadline) -> Result {
        while !context.interruption.isSet {
            let probeDeadline = Deadline.after(seconds: context.settings.connectTimeout).earlier(deadline)
            if let link = try? context.connector.connect(to: agent, deadline: probeDeadline, interruption: context.interruption) {
                defer { link.close() }
                if let client = try? AgentClient.greet(over: link, deadline: probeDeadline, interruption: context.interruption),
                   let reply = try? client.call(.ping, deadline: probeDeadline), reply.isOK,
                   let boot = reply.final.fields.text("boot"), boot != previous {
                    return .upNewBoot
                }
            }
            if !pause(until: deadline) { return .unconfirmed }
        }
        return .unconfirmed
    }

    /// Sleeps one probe interval in short slices; false when the deadline came first.
    private func pause(until deadline: Deadline) -> Bool {
        let wake = Deadline.after(seconds: context.settings.confirmInterval)
        while !wake.hasPassed {
            if deadline.hasPassed || context.interruption.isSet { return false }
            Thread.sleep(forTimeInterval: min(0.05, max(0.001, wake.remaining)))
        }
        return !deadline.hasPassed
    }
}
