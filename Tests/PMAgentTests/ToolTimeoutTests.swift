import Foundation
import Testing
import TestSupport

@testable import PMAgent

#if canImport(Glibc)
import Glibc
#endif

/// How a tool that overruns its timeout is ended: SIGTERM to its process group first (sudo
/// relays it to the root tool it runs, which a non-root agent may not signal itself), then
/// SIGKILL after a grace period for a tool that ignores TERM.
@Suite("Tool timeout: TERM first, KILL after the grace period")
struct ToolTimeoutTests {
    /// Whether `pid` is still running (gone, or a zombie waiting for this machine's lazy PID 1, is not).
    func isRunning(_ pid: Int32) -> Bool {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.isEmpty && stat.split(separator: ")").last?.split(separator: " ").first != "Z"
    }

    /// What a run of a looping shell tool with `trap` (its TERM handling) left behind.
    struct Run {
        var output: PMAgent.ChildProcess.Output
        var elapsed: Double
        var stillRunning: Bool
    }

    /// Runs a shell loop that never ends by itself, with a 1 s timeout and `grace`.
    func runLoopingTool(trap: String, grace: Double) throws -> Run {
        let temporary = try TemporaryDirectory("pmagent-timeout")
        defer { temporary.remove() }
        let script = "\(trap)\necho $$ > \(temporary.file("pid"))\nwhile :; do sleep 0.1; done\n"
        let started = Date()
        let output = try PMAgent.ChildProcess.run(["/bin/sh", "-c", script], timeout: 1, grace: grace)
        let elapsed = Date().timeIntervalSince(started)
        let pid = try #require(Int32(try String(contentsOfFile: temporary.file("pid"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        return Run(output: output, elapsed: elapsed, stillRunning: isRunning(pid))
    }

    @Test("A tool that traps TERM gets to clean up, and is not waited on for the whole grace period")
    func toolTrappingTermCleansUp() throws {
        let directory = try TemporaryDirectory("pmagent-timeout-cleanup")
        defer { directory.remove() }
        let run = try runLoopingTool(trap: "trap 'echo cleaned > \(directory.file("cleanup")); exit 0' TERM", grace: 5)
        #expect(run.output.termination == .timedOut)
        #expect((try? String(contentsOfFile: directory.file("cleanup"), encoding: .utf8)) == "cleaned\n", "the tool's TERM handler ran")
        #expect(run.elapsed < 5, "ended by TERM, not by KILL after the 5 s grace (took \(run.elapsed) s)")
        #expect(!run.stillRunning)
    }

    @Test("A tool that ignores TERM is killed once the grace period is over")
    func toolIgnoringTermIsKilledAfterGrace() throws {
        let run = try runLoopingTool(trap: "trap '' TERM", grace: 1.5)
        #expect(run.output.termination == .timedOut)
        #expect(run.elapsed >= 2.4, "TERM was sent first and the grace period waited (took \(run.elapsed) s)")
        #expect(run.elapsed < 10)
        #expect(!run.stillRunning, "SIGKILL ended it")
    }
}
