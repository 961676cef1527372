import Foundation
import SSH
import Testing
import TestSupport

/// `PortForward` when nothing can move and when one connection goes bad: it sleeps instead
/// of spinning (an idle session the server keeps alive, a client that stops reading), and
/// one client dropped abruptly, while the server is slow to confirm the close, leaves the
/// session and the other connections working. The CPU checks are correctness checks (a
/// busy loop uses a whole core), not speed measurements: the bound is far above idle.
@Suite("Port forward under stalls and drops")
struct PortForwardLoadTests {
    typealias Forward = PortForwardTests.RunningForward

    /// The forward's thread may use at most this share of a core while nothing moves.
    static let idleBound = 0.2

    @Test func anIdleForwardSleepsAndAnswersTheServersKeepalives() throws {
        // sshd asks every second whether we are alive and drops the session after two
        // unanswered asks: left unread, the first ask kept the old loop spinning.
        let sshd = try SSHDaemon(extraConfig: ["ClientAliveInterval 1", "ClientAliveCountMax 2"])
        let echo = try TCPEchoServer()
        defer { echo.stop(); sshd.stopAndRemoveFiles() }
        let forward = Forward(sshd: sshd, remotePort: echo.port)
        try #require(forward.startFailure == nil, "\(forward.startFailure ?? "")")
        #expect(try PortForwardTests.exchange(Array("before".utf8), port: forward.localPort) == Array("before".utf8))

        let busy = forward.busyFraction(over: 4)
        #expect(busy.map { $0 < Self.idleBound } == true, "CPU share of the idle forward: \(busy.map { String($0) } ?? "its thread ended")")
        #expect(forward.endingWithoutStop(within: 0) == nil, "the session outlived four keepalive asks")
        #expect(try PortForwardTests.exchange(Array("after".utf8), port: forward.localPort) == Array("after".utf8))
        #expect(forward.finish().ending == "returned")
    }

    @Test func aClientThatStopsReadingDoesNotMakeTheForwardSpin() throws {
        let sshd = try SSHDaemon()
        let echo = try TCPEchoServer()
        defer { echo.stop(); sshd.stopAndRemoveFiles() }
        let forward = Forward(sshd: sshd, remotePort: echo.port)
        try #require(forward.startFailure == nil, "\(forward.startFailure ?? "")")
        // It sends until every buffer on the way (its own socket, the forward, the channel
        // window, the echo service) is full, and never reads.
        let stalled = try PortForwardTests.connectLocal(forward.localPort)
        defer { close(stalled) }
        let sent = Self.sendUntilStalled(stalled)
        #expect(sent > 1_000_000, "the client got \(sent) bytes out before it stalled")

        let busy = forward.busyFraction(over: 2)
        #expect(busy.map { $0 < Self.idleBound } == true, "CPU share with a stalled client: \(busy.map { String($0) } ?? "its thread ended")")
        #expect(try PortForwardTests.exchange(Array("others go on".utf8), port: forward.localPort) == Array("others go on".utf8))
        #expect(forward.finish().ending == "returned")
    }

    @Test func aClientDroppedAbruptlyLeavesTheOtherConnectionsWorking() throws {
        let sshd = try SSHDaemon()
        let echo = try TCPEchoServer()
        defer { echo.stop(); sshd.stopAndRemoveFiles() }
        let forward = Forward(sshd: sshd, remotePort: echo.port)
        try #require(forward.startFailure == nil, "\(forward.startFailure ?? "")")
        let port = forward.localPort

        // The one to drop: it has bytes on their way to it (it stopped reading).
        let dropped = try PortForwardTests.connectLocal(port)
        _ = Self.sendUntilStalled(dropped)
        // The one that must go on: mid-transfer when the other is dropped.
        let payload = PortForwardTests.payload(3_000_000, seed: 7)
        let other = try PortForwardTests.connectLocal(port)
        defer { close(other) }
        let senderDone = PortForwardTests.sendInBackground(payload, to: other)
        Thread.sleep(forTimeInterval: 0.2)

        // The server is slow to confirm the close (its session processes are stopped)
        // while the client resets its connection.
        let sessionProcesses = Self.descendants(of: sshd.pid)
        try #require(!sessionProcesses.isEmpty, "sshd \(sshd.pid) serves the session in a child process")
        for pid in sessionProcesses { kill(pid, SIGSTOP) }
        var resetOnClose = linger(l_onoff: 1, l_linger: 0)
        setsockopt(dropped, SOL_SOCKET, SO_LINGER, &resetOnClose, socklen_t(MemoryLayout<linger>.size))
        close(dropped)
        Thread.sleep(forTimeInterval: 1)
        for pid in sessionProcesses { kill(pid, SIGCONT) }

        let received = PortForwardTests.readToEnd(other)
        senderDone.wait()
        #expect(received.count == payload.count && received == payload, "the other connection got \(received.count) of \(payload.count) bytes back")
        #expect(forward.endingWithoutStop(within: 0) == nil, "the session lives on")
        #expect(try PortForwardTests.exchange(Array("new".utf8), port: port) == Array("new".utf8))
        #expect(forward.finish().ending == "returned")
    }

    /// Sends until the socket takes nothing for 2 s; how many bytes went.
    static func sendUntilStalled(_ descriptor: Int32) -> Int {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let chunk = PortForwardTests.payload(65536, seed: 1)
        var total = 0
        while true {
            let count = chunk.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return total }
            total += count
        }
    }

    /// Every process below `pid`, from /proc's children lists.
    static func descendants(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        let children = text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return children + children.flatMap { descendants(of: $0) }
    }
}

/// Opening a tunnel is a step of the loop, not a wait inside it.
@Suite("Port forward while a tunnel opens")
struct PortForwardOpeningTests {
    @Test func aTunnelThatTakesLongToOpenDoesNotHoldUpTheOpenConnections() throws {
        let sshd = try SSHDaemon()
        let destination = try OneConnectionEchoPort()
        defer { sshd.stopAndRemoveFiles() }
        let forward = PortForwardTests.RunningForward(sshd: sshd, remotePort: destination.port)
        try #require(forward.startFailure == nil, "\(forward.startFailure ?? "")")
        let first = try PortForwardTests.connectLocal(forward.localPort)
        defer { close(first) }
        #expect(Self.echo("one", on: first) == "one")

        // The server's connect for the second tunnel hangs, so it does not confirm the open
        // (the old loop waited up to 10 s for it, with every other connection standing still).
        destination.fillQueue()
        let second = try PortForwardTests.connectLocal(forward.localPort)
        defer { close(second) }
        Thread.sleep(forTimeInterval: 0.3)
        let started = Date()
        #expect(Self.echo("two", on: first) == "two")
        let waited = Date().timeIntervalSince(started)
        #expect(waited < 3, "the open connection answered after \(waited) s while another tunnel was opening")
        _ = forward.finish()
    }

    static func echo(_ text: String, on descriptor: Int32) -> String {
        let bytes = Array(text.utf8)
        _ = send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL))
        var reply = [UInt8](repeating: 0, count: bytes.count)
        guard recv(descriptor, &reply, reply.count, Int32(MSG_WAITALL)) == bytes.count else { return "" }
        return String(decoding: reply, as: UTF8.self)
    }
}
