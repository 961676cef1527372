import Foundation

/// Spaces the magic packets of one run `interval` seconds apart (`--stagger`), so a rack
/// does not draw its inrush current all at once, while the waits that follow still run
/// side by side.
public final class SendPacer: @unchecked Sendable {
    private let lock = NSLock()
    private let interval: Double
    private var next = Date.distantPast

    public init(interval: Double) {
        self.interval = interval
    }

    /// Blocks until this sender's turn.
    func waitForTurn() {
        let slot: Date = lock.withLock {
            let slot = max(Date(), next)
            next = slot.addingTimeInterval(interval)
            return slot
        }
        let wait = slot.timeIntervalSinceNow
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }
}
