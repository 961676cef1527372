import Foundation
import SSH
import Testing
import TestSupport

/// A channel released without `close` while the server is slow to confirm: the session's
/// socket, which its other channels share, is never cut for it.
@Suite("Releasing a channel")
struct ChannelReleaseTests {
    @Test func aChannelDroppedWhileTheServerIsSlowLeavesTheSessionWorking() throws {
        let sshd = try SSHDaemon()
        let echo = try TCPEchoServer()
        defer { echo.stop(); sshd.stopAndRemoveFiles() }
        let session = try SSHSession.connect(to: try sshd.target(), deadline: .after(seconds: 10))
        let kept = try session.tunnel(toHost: "127.0.0.1", port: echo.port, deadline: .after(seconds: 10))
        var dropped: SSHChannel? = try session.tunnel(toHost: "127.0.0.1", port: echo.port, deadline: .after(seconds: 10))
        #expect(dropped != nil)

        // The server cannot answer the close while its session processes are stopped.
        let sessionProcesses = PortForwardLoadTests.descendants(of: sshd.pid)
        try #require(!sessionProcesses.isEmpty)
        for pid in sessionProcesses { kill(pid, SIGSTOP) }
        dropped = nil
        for pid in sessionProcesses { kill(pid, SIGCONT) }

        try kept.write(Array("still here".utf8), deadline: .after(seconds: 10))
        try kept.sendEOF(deadline: .after(seconds: 10))
        let answer = try kept.readToEnd(deadline: .after(seconds: 10))
        #expect(answer.stdout == Array("still here".utf8), "the other channel of the session still works")
        _ = try kept.close(deadline: .after(seconds: 10))
    }
}
