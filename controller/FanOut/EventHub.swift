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

    public func runFinished(_ report: RunReport) {
        lock.withLock { for handler in handlers { handler.runFinished(report) } }
    }
}
