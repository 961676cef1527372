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
    private let outside: (@Sendable () -> Bool)?

    public init() { outside = nil }

    /// A flag that also counts as set whenever `check` says so: the caller's own stop
    /// flag (pmctl's Ctrl-C) reaches SSH work without a thread to copy it over.
    public init(watching check: @escaping @Sendable () -> Bool) { outside = check }

    /// Asks the work to stop; it does so within about 100 ms. Cannot be undone.
    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    /// Whether `cancel()` was called, or the watched check holds.
    public var isCancelled: Bool {
        lock.lock()
        let set = cancelled
        lock.unlock()
        return set || outside?() == true
    }

    /// A flag nobody holds, for work that cannot be cancelled (only its deadline ends it).
    public static var none: Cancellation { Cancellation() }
}
