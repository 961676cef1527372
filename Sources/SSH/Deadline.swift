#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time on the monotonic clock, by which an operation must end.
///
/// Monotonic on purpose: a wall-clock jump (NTP, a suspended laptop's catch-up) must
/// neither fire every deadline at once nor stretch one forever.
public struct Deadline: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Nanoseconds on `CLOCK_MONOTONIC`.
    let nanoseconds: UInt64

    init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    /// The current instant.
    public static var now: Deadline { Deadline(nanoseconds: monotonicNanoseconds()) }

    /// The instant `seconds` from now; negative or zero means already passed.
    public static func after(seconds: Double) -> Deadline {
        let now = monotonicNanoseconds()
        guard seconds > 0 else { return Deadline(nanoseconds: now) }
        let delta = seconds >= Double(UInt64.max / 2) / 1e9 ? UInt64.max / 2 : UInt64(seconds * 1e9)
        return Deadline(nanoseconds: now &+ delta)
    }

    /// The instant `duration` from now.
    public static func after(_ duration: Duration) -> Deadline {
        let (seconds, attoseconds) = duration.components
        return after(seconds: Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Practically never: for waits that only cancellation may end.
    public static let distantFuture = Deadline(nanoseconds: UInt64.max / 2)

    /// Seconds left until the deadline; zero once it has passed.
    public var remainingSeconds: Double {
        let now = Deadline.monotonicNanoseconds()
        return nanoseconds > now ? Double(nanoseconds - now) / 1e9 : 0
    }

    /// Whether the deadline has passed.
    public var hasPassed: Bool { Deadline.monotonicNanoseconds() >= nanoseconds }

    /// Whole milliseconds left, rounded up so a wait never ends just before the deadline,
    /// and capped at `cap` so callers can look at other things (cancellation) meanwhile.
    func pollMilliseconds(cap: Int32) -> Int32 {
        let now = Deadline.monotonicNanoseconds()
        guard nanoseconds > now else { return 0 }
        let milliseconds = (nanoseconds - now + 999_999) / 1_000_000
        return milliseconds >= UInt64(cap) ? cap : Int32(milliseconds)
    }

    /// The earlier of two deadlines.
    public func earlier(_ other: Deadline) -> Deadline { Swift.min(self, other) }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public var description: String {
        hasPassed ? "deadline passed" : "deadline in \(remainingSeconds) s"
    }

    static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
