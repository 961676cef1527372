import Foundation
import SSH
import Testing
import TestSupport

@Suite("Deadlines and cancellation on a live session")
struct TimeoutAndCancellationTests {
    @Test func aCommandThatStopsTalkingEndsTheReadAtItsDeadline() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        // As an agent would be installed: a key whose forced command hangs mid-request.
        let key = try sshd.makeKey(named: "stuck-agent")
        try sshd.authorize(key, forcedCommand: try sshd.makeHangingCommand(printing: "HELLO proto=1.0"))
        let session = try SSHSession.connect(to: sshd.target(identity: key.privateKeyPath), deadline: .after(seconds: 10))
        let channel = try session.exec("pmagent serve", deadline: .after(seconds: 10))
        #expect(try channel.read(deadline: .after(seconds: 10)) == .stdout(Array("HELLO proto=1.0\n".utf8)))
        let outcome = timed { _ = try channel.read(deadline: .after(seconds: 1)) }
        #expect(outcome.error == .timeout(.read))
        #expect(outcome.seconds >= 1)
        #expect(outcome.seconds < 1.5)
    }

    @Test func aCommandThatDoesNotReadItsInputEndsTheWriteAtItsDeadline() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let session = try SSHSession.connect(to: sshd.target(), deadline: .after(seconds: 10))
        let channel = try session.exec("exec /bin/sleep 30 </dev/null", deadline: .after(seconds: 10))
        // More than the channel window (2 MiB) plus socket buffers: the write must wait.
        let chunk = [UInt8](repeating: 0x61, count: 16 * 1024 * 1024)
        let outcome = timed { try channel.write(chunk, deadline: .after(seconds: 1.5)) }
        #expect(outcome.error == .timeout(.write))
        #expect(outcome.seconds >= 1.5)
        #expect(outcome.seconds < 2.2)
    }

    @Test func cancellingStopsAWaitingReadWithinAHundredMilliseconds() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let cancel = Cancellation()
        let session = try SSHSession.connect(to: sshd.target(), deadline: .after(seconds: 10), cancel: cancel)
        let channel = try session.exec("exec /bin/cat", deadline: .after(seconds: 10))
        let clock = ContinuousClock()
        let cancelledAt = clock.now + .milliseconds(500)
        let canceller = Thread {
            Thread.sleep(forTimeInterval: 0.5)
            cancel.cancel()
        }
        canceller.start()
        let outcome = timed { _ = try channel.read(deadline: .after(seconds: 30)) }
        let lag = clock.now - cancelledAt
        #expect(outcome.error == .cancelled)
        #expect(lag < .milliseconds(250))
    }

    @Test func cancellingStopsAHangingHandshake() throws {
        let silent = try SilentListener()
        let target = try SSHTarget(host: "127.0.0.1", port: silent.port, user: "root", knownHosts: "/dev/null", agentSocket: nil)
        let flag = Cancellation()
        cancel(flag, after: 0.3)
        let outcome = timed { _ = try SSHSession.connect(to: target, deadline: .after(seconds: 30), cancel: flag) }
        #expect(outcome.error == .cancelled)
        #expect(outcome.seconds < 0.6)
    }

    @Test func cancellingTheTaskCancelsTheJobOnItsDedicatedThread() async throws {
        let silent = try SilentListener()
        let target = try SSHTarget(host: "127.0.0.1", port: silent.port, user: "root", knownHosts: "/dev/null", agentSocket: nil)
        let clock = ContinuousClock()
        // The job reports when it stopped: the test's own resumption may wait for a free
        // thread of the (busy, 2-core) cooperative pool, which is not what is measured.
        let job = Task {
            try await onDedicatedThread { cancel -> (SSHError?, ContinuousClock.Instant) in
                do {
                    _ = try SSHSession.connect(to: target, deadline: .after(seconds: 30), cancel: cancel)
                    return (nil, clock.now)
                } catch {
                    return (error as? SSHError, clock.now)
                }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let cancelledAt = clock.now
        job.cancel()
        let (error, stoppedAt) = try await job.value
        #expect(error == .cancelled)
        // Each wait polls in slices of at most 100 ms and checks the cancel between them; the
        // bound tells "seen within a few slices" from "waited for the 30 s deadline" without
        // measuring how fast a loaded 2-core machine schedules the thread (265 ms was seen).
        #expect(stoppedAt - cancelledAt < .seconds(1))
    }
}
