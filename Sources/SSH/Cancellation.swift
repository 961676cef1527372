import Foundation

/// A flag that asks running SSH work to stop.
///
/// Every wait inside this module looks at it at least every 100 ms and then ends with
/// `SSHError.cancelled`. It is the one thing shared between the thread that runs a
/// session and the code that wants it stopped (a cancelled Swift task, Ctrl-C), so it is
/// `Sendable` and lock-protected.
public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    public init() {}

    /// Asks the work to stop; it does so within about 100 ms. Cannot be undone.
    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    /// Whether `cancel()` was called.
    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// A flag nobody holds, for work that cannot be cancelled (only its deadline ends it).
    public static var none: Cancellation { Cancellation() }
}
