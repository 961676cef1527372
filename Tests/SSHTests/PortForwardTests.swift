import Foundation
import SSH
import Testing
import TestSupport

/// `PortForward` against a real sshd on loopback and a TCP echo service behind it: what a
/// client sends through the local port comes back through it, on several connections at
/// once, and stopping the forward closes the port and every connection.
@Suite("Local port forward over a direct-tcpip tunnel")
struct PortForwardTests {
    /// A forward served on its own thread (a session belongs to the thread that made it).
    final class RunningForward: @unchecked Sendable {
        let stop = Cancellation()
        private let ready = DispatchSemaphore(value: 0)
        private let ended = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var port = 0
        private var failure: String?
        private var ending: String?
        private var problems: [String] = []
        private var accepted = 0
        /// "/proc/PID/task/TID" of the forward's thread.
        private var threadFolder = ""

        init(sshd: SSHDaemon, remotePort: Int) {
            let target = try? sshd.target()
            Thread { [self] in
                let thread = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
                lock.withLock { threadFolder = "/proc/" + thread }
                do {
                    guard let target else { throw SSHError.invalidTarget("no target") }
                    let session = try SSHSession.connect(to: target, deadline: .after(seconds: 10))
                    let forward = try PortForward(session: session, remoteHost: "127.0.0.1", remotePort: remotePort)
                    lock.withLock { port = forward.localPort }
                    ready.signal()
                    do {
                        try forward.serve(until: stop) { problem in self.lock.withLock { self.problems.append(problem) } }
                        lock.withLock { ending = "returned"; accepted = forward.acceptedCount }
                    } catch {
                        lock.withLock { ending = "threw \(error)" }
                    }
                } catch {
                    lock.withLock { failure = "\(error)" }
                    ready.signal()
                }
                ended.signal()
            }.start()
            ready.wait()
        }

        var localPort: Int { lock.withLock { port } }
        var startFailure: String? { lock.withLock { failure } }
        var reportedProblems: [String] { lock.withLock { problems } }

        /// Stops the forward and waits for its thread; how `serve` ended and how many
        /// connections it took.
        /// How `serve` ended if it ended by itself within `seconds` (nil if it still runs).
        func endingWithoutStop(within seconds: Double) -> String? {
            guard ended.wait(timeout: .now() + seconds) == .success else { return nil }
            ended.signal()  // for finish()
            return lock.withLock { ending }
        }

        /// The share of one core the forward's thread used over the next `seconds` (nil if
        /// the thread ended meanwhile), from its utime and stime in /proc.
        func busyFraction(over seconds: Double) -> Double? {
            let folder = lock.withLock { threadFolder }
            func cpuSeconds() -> Double? {
                guard let stat = try? String(contentsOfFile: folder + "/stat", encoding: .utf8),
                      let end = stat.lastIndex(of: ")") else { return nil }
                // Fields after the command name: state is the 3rd field, utime the 14th, stime the 15th.
                let fields = stat[stat.index(after: end)...].split(separator: " ")
                guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
                return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
            }
            guard let before = cpuSeconds() else { return nil }
            let started = Date()
            Thread.sleep(forTimeInterval: seconds)
            guard let after = cpuSeconds() else { return nil }
            return (after - before) / Date().timeIntervalSince(started)
        }

        func finish() -> (ending: String?, accepted: Int) {
            stop.cancel()
            _ = ended.wait(timeout: .now() + 10)
            return lock.withLock { (ending, accepted) }
        }
    }

    /// A blocking client socket on 127.0.0.1:`port` that gives up reading after 15 s.
    static func connectLocal(_ port: Int) throws -> Int32 {
        guard let descriptor = LoopbackPort.connected(port) else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return descriptor
    }

    /// Reads until EOF (or the 15 s receive timeout).
    static func readToEnd(_ descriptor: Int32) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { return received }
            received += buffer[0..<count]
        }
    }

    /// Sends `bytes` (from another thread, so a big payload cannot deadlock against its own
    /// echo), half-closes, and returns everything that comes back before EOF.
    static func exchange(_ bytes: [UInt8], port: Int) throws -> [UInt8] {
        let descriptor = try connectLocal(port)
        defer { close(descriptor) }
        let sent = sendInBackground(bytes, to: descriptor)
        let received = readToEnd(descriptor)
        sent.wait()
        return received
    }

    /// Sends `bytes` on another thread, then half-closes; signalled when done.
    static func sendInBackground(_ bytes: [UInt8], to descriptor: Int32) -> DispatchSemaphore {
        let sent = DispatchSemaphore(value: 0)
        Thread {
            var offset = 0
            while offset < bytes.count {
                let count = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                if count <= 0 { break }
                offset += count
            }
            shutdown(descriptor, Int32(SHUT_WR))
            sent.signal()
        }.start()
        return sent
    }

    static func payload(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131) ^ seed }
    }

    @Test func bytesGoBothWaysOnSeveralConnectionsAtOnceAndTheForwardEndsCleanly() throws {
        let sshd = try SSHDaemon()
        let echo = try TCPEchoServer()
        defer { echo.stop(); sshd.stopAndRemoveFiles() }
        let forward = RunningForward(sshd: sshd, remotePort: echo.port)
        #expect(forward.startFailure == nil, "\(forward.startFailure ?? "")")
        let port = forward.localPort

        // Four connections at once, one of them 2 MB (more than a channel window, so
        // back-pressure and several windows are crossed), each with its own bytes.
        let sizes = [5, 70_000, 2_000_000, 300]
        let results = Results(count: sizes.count)
        DispatchQueue.concurrentPerform(iterations: sizes.count) { index in
            let sent = Self.payload(sizes[index], seed: UInt8(index))
            let received = (try? Self.exchange(sent, port: port)) ?? []
            results.set(index, received == sent ? "ok" : "sent \(sent.count) bytes, got \(received.count) back")
        }
        #expect(results.all == Array(repeating: "ok", count: sizes.count))

        // One connection still open when the forward stops: it is closed, not left hanging.
        let open = try Self.connectLocal(port)
        defer { close(open) }
        _ = send(open, "ping", 4, Int32(MSG_NOSIGNAL))
        var echoed = [UInt8](repeating: 0, count: 4)
        #expect(recv(open, &echoed, 4, Int32(MSG_WAITALL)) == 4 && echoed == Array("ping".utf8))

        let end = forward.finish()
        #expect(end.ending == "returned")
        #expect(end.accepted == sizes.count + 1)
        #expect(Self.readToEnd(open).isEmpty, "the open connection sees EOF once the forward stops")
        #expect(!LoopbackPort.accepts(port), "the local port is closed once the forward stops")
        #expect(forward.reportedProblems.isEmpty, "\(forward.reportedProblems)")
    }

    @Test func aSessionThatDiesEndsTheForwardWithAnError() throws {
        let sshd = try SSHDaemon()
        let echo = try TCPEchoServer()
        defer { echo.stop(); sshd.stopAndRemoveFiles() }
        let forward = RunningForward(sshd: sshd, remotePort: echo.port)
        #expect(try Self.exchange(Array("before".utf8), port: forward.localPort) == Array("before".utf8))
        // The sshd process serving this one session (a child of the listener): ended by its PID.
        let children = (try? String(contentsOfFile: "/proc/\(sshd.pid)/task/\(sshd.pid)/children", encoding: .utf8)) ?? ""
        let pids = children.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(pids.count == 1, "one session process under sshd \(sshd.pid): \(children)")
        kill(pids[0], SIGKILL)
        let ending = forward.endingWithoutStop(within: 10)
        #expect(ending?.hasPrefix("threw") == true, "serve ends by itself when its session dies: \(ending ?? "still running")")
        #expect(!LoopbackPort.accepts(forward.localPort))
        _ = forward.finish()
    }

    @Test func aRefusedDestinationClosesThatClientAndTheForwardGoesOn() throws {
        let sshd = try SSHDaemon()
        let closed = try ClosedPort()
        defer { sshd.stopAndRemoveFiles() }
        let forward = RunningForward(sshd: sshd, remotePort: closed.port)
        let client = try Self.connectLocal(forward.localPort)
        defer { close(client) }
        #expect(Self.readToEnd(client).isEmpty, "the client is closed when the server refuses its tunnel")
        #expect(LoopbackPort.accepts(forward.localPort), "the forward still listens")
        let end = forward.finish()
        #expect(end.ending == "returned")
        #expect(forward.reportedProblems.contains { $0.contains("refused a tunnel to 127.0.0.1:\(closed.port)") },
                "\(forward.reportedProblems)")
    }
}

/// Per-connection verdicts filled from concurrent threads.
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String]
    init(count: Int) { values = Array(repeating: "missing", count: count) }
    func set(_ index: Int, _ value: String) { lock.withLock { values[index] = value } }
    var all: [String] { lock.withLock { values } }
}
