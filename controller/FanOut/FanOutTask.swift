import Foundation
import PMProtocol

/// Runs one action on many hosts (ClusterShell's Task): at most `fanout` hosts in flight,
/// each on a dedicated thread so blocking I/O never ties up Swift's cooperative pool,
/// each bound by its own deadlines. Results stream to the handlers as hosts finish.
/// After Ctrl-C (`interruption`) no host starts; hosts in flight end `unfinished`.
public struct FanOutTask: Sendable {
    public var fanout: Int
    public var hub: EventHub
    public var interruption: Interruption

    public init(fanout: Int, hub: EventHub, interruption: Interruption = Interruption()) {
        self.fanout = max(1, fanout)
        self.hub = hub
        self.interruption = interruption
    }

    /// Runs `work` for each host and returns every host's result, in the hosts' order.
    /// `work` runs on its own thread and may block.
    public func run(_ info: RunInfo, hosts: [ResolvedHost],
                    work: @escaping @Sendable (ResolvedHost) -> HostResult) async -> RunReport {
        let started = Deadline.now
        hub.runStarted(info)
        // Keyed by position, not name: a wake's result names the woken host, not the relay.
        var results: [Int: HostResult] = [:]
        await withTaskGroup(of: (Int, HostResult).self) { group in
            var pending = hosts.enumerated().makeIterator()
            var inFlight = 0
            func startNext() {
                guard !interruption.isSet, let (index, host) = pending.next() else { return }
                inFlight += 1
                let hub = self.hub
                group.addTask {
                    // The events go out on the host's own thread too: a handler may block
                    // (the journal commits to disk), and the cooperative pool must not.
                    (index, await Self.onOwnThread {
                        hub.emit(.started(host: host.name))
                        let result = work(host)
                        hub.emit(.finished(result))
                        return result
                    })
                }
            }
            for _ in 0..<fanout { startNext() }
            while inFlight > 0, let (index, result) = await group.next() {
                inFlight -= 1
                results[index] = result
                startNext()
            }
        }
        let interrupted = interruption.isSet
        var ordered: [HostResult] = []
        for (index, host) in hosts.enumerated() {
            if let result = results[index] {
                ordered.append(result)
            } else {
                let result = HostResult(host: host.name, action: info.action, outcome: .unfinished,
                                        message: "not started: interrupted")
                hub.emit(.finished(result))
                ordered.append(result)
            }
        }
        let elapsed = ContinuousClock.now - started.instant
        let report = RunReport(info: info, results: ordered, interrupted: interrupted,
                               elapsedMilliseconds: elapsed.wholeMilliseconds)
        hub.runFinished(report)
        return report
    }

    /// Runs a blocking body on a new thread and resumes the caller with its value.
    static func onOwnThread(_ body: @escaping @Sendable () -> HostResult) async -> HostResult {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
