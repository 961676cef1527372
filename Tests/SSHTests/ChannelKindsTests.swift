import Foundation
import SSH
import Testing
import TestSupport

@Suite("PTY shell, direct-tcpip tunnel and SFTP upload")
struct ChannelKindsTests {
    /// Reads until `needle` appears in stdout (a PTY merges both streams into it).
    private func readUntil(_ needle: String, from channel: SSHChannel, seconds: Double = 10) throws -> String {
        let deadline = Deadline.after(seconds: seconds)
        var text = ""
        while !text.contains(needle) {
            switch try channel.read(deadline: deadline) {
            case .stdout(let bytes), .stderr(let bytes): text += String(decoding: bytes, as: UTF8.self)
            case .eof: return text
            }
        }
        return text
    }

    @Test func aShellOnAPTYRunsCommandsAndSeesItsTerminalSizeAndType() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let session = try SSHSession.connect(to: sshd.target(), deadline: .after(seconds: 10))
        let channel = try session.shell(pty: PTYRequest(term: "vt100", columns: 100, rows: 30), deadline: .after(seconds: 10))
        // Markers built by the shell, so the echo of what we typed does not match them.
        try channel.write(Array("stty size; echo \"T=$TERM\"; echo tty-$((6*7))\n".utf8), deadline: .after(seconds: 5))
        let first = try readUntil("tty-42", from: channel)
        #expect(first.contains("30 100"))
        #expect(first.contains("T=vt100"))

        try channel.resizePTY(columns: 132, rows: 50, deadline: .after(seconds: 5))
        try channel.write(Array("stty size; echo done-$((1+1))\n".utf8), deadline: .after(seconds: 5))
        let second = try readUntil("done-2", from: channel)
        #expect(second.contains("50 132"))

        try channel.write(Array("exit 7\n".utf8), deadline: .after(seconds: 5))
        let exit = try channel.close(deadline: .after(seconds: 10))
        #expect(exit.status == 7)
    }

    @Test func aTunnelReachesATCPServiceBehindTheServer() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let echo = try TCPEchoServer()
        defer { echo.stop() }
        let session = try SSHSession.connect(to: sshd.target(), deadline: .after(seconds: 10))
        let tunnel = try session.tunnel(toHost: "127.0.0.1", port: echo.port, deadline: .after(seconds: 10))
        // Larger than one channel packet, to cross several reads.
        let message = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try tunnel.write(message, deadline: .after(seconds: 10))
        var echoed: [UInt8] = []
        let deadline = Deadline.after(seconds: 10)
        while echoed.count < message.count {
            guard case .stdout(let bytes) = try tunnel.read(deadline: deadline) else { break }
            echoed += bytes
        }
        #expect(echoed == message)
    }

    @Test func aTunnelToAClosedPortFailsAsAChannelError() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let closed = try ClosedPort()
        let session = try SSHSession.connect(to: sshd.target(), deadline: .after(seconds: 10))
        let outcome = timed { _ = try session.tunnel(toHost: "127.0.0.1", port: closed.port, deadline: .after(seconds: 10)) }
        guard case .channelFailed(let detail) = outcome.error else {
            Issue.record("expected channelFailed, got \(String(describing: outcome.error))")
            return
        }
        #expect(detail.contains("127.0.0.1:\(closed.port)"))
    }

    @Test func anUploadLandsWithItsBytesAndExactMode() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let path = sshd.directory.appendingPathComponent("uploaded-agent").path
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let session = try SSHSession.connect(to: sshd.target(), deadline: .after(seconds: 10))
        try session.upload(bytes, to: path, mode: 0o751, deadline: .after(seconds: 20))
        #expect(FileManager.default.contents(atPath: path).map(Array.init) == bytes)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o751)
        #expect(!FileManager.default.fileExists(atPath: path + ".pmctl-upload"))

        // A second upload replaces the file, mode included.
        try session.upload(Array("v2\n".utf8), to: path, mode: 0o600, deadline: .after(seconds: 10))
        #expect(FileManager.default.contents(atPath: path).map(Array.init) == Array("v2\n".utf8))
        let newMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(newMode == 0o600)
    }

    @Test func anUploadIntoAMissingDirectoryNamesThePathAndReason() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let path = sshd.directory.appendingPathComponent("no-such-dir/file").path
        let session = try SSHSession.connect(to: sshd.target(), deadline: .after(seconds: 10))
        let outcome = timed { try session.upload([1, 2, 3], to: path, mode: 0o644, deadline: .after(seconds: 10)) }
        guard case .channelFailed(let detail) = outcome.error else {
            Issue.record("expected channelFailed, got \(String(describing: outcome.error))")
            return
        }
        #expect(detail.contains(path))
        #expect(detail.contains("no such file"))
        #expect(throws: SSHError.self) { try session.upload([1], to: "relative/path", mode: 0o644, deadline: .after(seconds: 1)) }
    }
}
