import Foundation

/// A point in monotonic time by which something must be done. Blocking calls take one
/// (`receive(until:)`) rather than a duration, so a chain of calls shares one budget.
public struct Deadline: Comparable, Sendable, CustomStringConvertible {
    let instant: ContinuousClock.Instant

    init(_ instant: ContinuousClock.Instant) {
        self.instant = instant
    }

    public static var now: Deadline { Deadline(.now) }

    /// `seconds` from now.
    public static func after(seconds: Double) -> Deadline {
        // Clamped, so no value (inf, nan, huge) can trap the conversion: a year is "never".
        let milliseconds = seconds.isFinite ? min(max(0, seconds), 86_400 * 365) * 1000 : (seconds > 0 ? 86_400 * 365 * 1000 : 0)
        return Deadline(.now + .milliseconds(Int64(milliseconds.rounded())))
    }

    /// Far enough away to mean "no deadline".
    public static var distantFuture: Deadline { after(seconds: 86_400 * 365) }

    /// Seconds left; 0 once passed.
    public var remaining: Double {
        let left = instant - .now
        let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
        return max(0, seconds)
    }

    /// Milliseconds left, rounded up so a poll never wakes just before the deadline.
    public var remainingMilliseconds: Int {
        Int((remaining * 1000).rounded(.up))
    }

    public var hasPassed: Bool { instant <= .now }

    public func earlier(_ other: Deadline) -> Deadline { self < other ? self : other }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.instant < rhs.instant }

    public var description: String { String(format: "in %.3f s", remaining) }
}
