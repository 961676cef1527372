import Foundation
import SSH
import Testing
import TestSupport

/// Many sessions at once, each on its own thread, as the controller's fan-out runs them.
/// Prints wall and client CPU time as a yardstick; asserts only that every session does
/// its work (no "Failed getting banner" drops, no deadlock between threads).
@Suite("Fan-out of 100 sessions", .serialized)
struct FanOutMeasurementTests {
    /// CPU seconds the calling thread has used.
    private static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    private struct HostResult: Sendable {
        var output: String
        var cpuSeconds: Double
        var connectTime: Duration
    }

    /// Runs `count` jobs at once; each connects and, with `command`, runs `command N`.
    private func fanOut(count: Int, command: String?, to target: SSHTarget) async throws -> [HostResult] {
        let clock = ContinuousClock()
        let start = clock.now
        let results = try await withThrowingTaskGroup(of: HostResult.self) { group in
            for index in 0..<count {
                group.addTask {
                    try await onDedicatedThread { _ in
                        let before = Self.threadCPUSeconds()
                        let deadline = Deadline.after(seconds: 60)
                        let connectStart = clock.now
                        let session = try SSHSession.connect(to: target, deadline: deadline)
                        let connectTime = clock.now - connectStart
                        var output = ""
                        if let command {
                            let channel = try session.exec("\(command) \(index)", deadline: deadline)
                            try channel.sendEOF(deadline: deadline)
                            output = String(decoding: try channel.readToEnd(deadline: deadline).stdout, as: UTF8.self)
                            try channel.close(deadline: deadline)
                        }
                        try session.disconnect(deadline: deadline)
                        return HostResult(output: output, cpuSeconds: Self.threadCPUSeconds() - before, connectTime: connectTime)
                    }
                }
            }
            var collected: [HostResult] = []
            for try await result in group { collected.append(result) }
            return collected
        }
        let wall = clock.now - start
        let cpu = results.map(\.cpuSeconds).reduce(0, +)
        let connectTimes = results.map(\.connectTime).sorted()
        print(
            "fan-out \(command == nil ? "login only" : "login + exec"): \(count) sessions in \(wall), "
                + "client CPU \(String(format: "%.3f", cpu)) s, connect median \(connectTimes[count / 2]), max \(connectTimes[count - 1])")
        return results
    }

    @Test func aHundredConcurrentLoginsAllSucceed() async throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let results = try await fanOut(count: 100, command: nil, to: sshd.target())
        #expect(results.count == 100)
    }

    /// Each command costs the server a login shell (bash reads ~/.bashrc: 100-250 ms of
    /// CPU here), which dwarfs the client; 25 by default keeps a shared CI box usable.
    /// `PMCONTROL_FANOUT_EXEC=100` measures the full hundred.
    @Test func concurrentCommandsAllReturnTheirOwnOutput() async throws {
        let count = ProcessInfo.processInfo.environment["PMCONTROL_FANOUT_EXEC"].flatMap(Int.init).map { max(1, $0) } ?? 25
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let results = try await fanOut(count: count, command: "echo", to: sshd.target())
        #expect(Set(results.map(\.output)) == Set((0..<count).map { "\($0)\n" }))
    }
}
