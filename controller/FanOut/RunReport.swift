/// A finished run: every host's result in the order the hosts were given.
public struct RunReport: Equatable, Sendable {
    public var info: RunInfo
    public var results: [HostResult]
    /// Ctrl-C stopped it: hosts not done are `unfinished`.
    public var interrupted: Bool
    public var elapsedMilliseconds: Int

    public init(info: RunInfo, results: [HostResult], interrupted: Bool, elapsedMilliseconds: Int) {
        self.info = info
        self.results = results
        self.interrupted = interrupted
        self.elapsedMilliseconds = elapsedMilliseconds
    }

    /// How many hosts ended each way, every outcome present (zero included).
    public var counts: [(Outcome, Int)] {
        Outcome.allCases.map { outcome in (outcome, results.filter { $0.outcome == outcome }.count) }
    }

    /// CONTRACT.md: 0 every host ok (or skipped in a dry run), 1 at least one not ok,
    /// 130 interrupted.
    public var exitCode: Int32 {
        if interrupted { return 130 }
        return results.allSatisfy { $0.outcome == .ok || $0.outcome == .skipped } ? 0 : 1
    }
}
