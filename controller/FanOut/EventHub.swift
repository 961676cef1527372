import Foundation

/// Hands each event to every handler, one event at a time, whichever thread sends it.
public final class EventHub: @unchecked Sendable {
    // Safe: `handlers` is fixed at init, and every call into them holds `lock`.
    private let handlers: [any EventHandler]
    private let lock = NSLock()

    public init(_ handlers: [any EventHandler]) {
        self.handlers = handlers
    }

    public func runStarted(_ info: RunInfo) {
        lock.withLock { for handler in handlers { handler.runStarted(info) } }
    }

    public func emit(_ event: HostEvent) {
        lock.withLock { for handler in handlers { handler.handle(event) } }
    }

    /// Announces that a request that changes the machine is about to go out (`sending`) and
    /// says why it must not, if a recorder could not write that down; nil: send it.
    public func announceSending(host: String, agent: String) -> String? {
        lock.withLock {
            let event = HostEvent.sending(host: host, agent: agent)
            for handler in handlers { handler.handle(event) }
            return handlers.lazy.compactMap { ($0 as? any SendingRecorder)?.unrecordedSending(of: host) }.first
        }
    }

    public func runFinished(_ report: RunReport) {
        lock.withLock { for handler in handlers { handler.runFinished(report) } }
    }
}
