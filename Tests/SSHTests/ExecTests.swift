import Foundation
import SSH
import Testing
import TestSupport

@Suite("Exec channel against a private sshd")
struct ExecTests {
    @Test func commandOutputOnBothStreamsAndItsExitStatusArrive() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let result = try run("echo out; echo err >&2; exit 3", on: sshd.target())
        #expect(String(decoding: result.stdout, as: UTF8.self) == "out\n")
        #expect(String(decoding: result.stderr, as: UTF8.self) == "err\n")
        #expect(result.exit == SSHChannel.Exit(status: 3, signal: nil))
    }

    @Test func inputWrittenToTheChannelReachesTheCommandUntilEOF() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let input = Array("line one\nline two\n".utf8)
        let result = try run("/usr/bin/wc -l", on: sshd.target(), input: input)
        #expect(String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        #expect(result.exit.status == 0)
    }

    @Test func moreThanAMebibyteOnStdoutAndStderrAtOnceDoesNotDeadlock() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        // Two writers at once: whichever stream we neglected would fill its window and
        // stall the other. 1.5 MiB each.
        let size = 3 * 512 * 1024
        let command = "/usr/bin/head -c \(size) /dev/zero | /usr/bin/tr '\\0' o & "
            + "/usr/bin/head -c \(size) /dev/zero | /usr/bin/tr '\\0' e >&2; wait"
        let result = try run(command, on: sshd.target(), seconds: 30)
        #expect(result.stdout.count == size)
        #expect(result.stderr.count == size)
        #expect(result.stdout.allSatisfy { $0 == UInt8(ascii: "o") })
        #expect(result.stderr.allSatisfy { $0 == UInt8(ascii: "e") })
        #expect(result.exit.status == 0)
    }

    @Test func aCommandKilledByASignalReportsTheSignalName() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let result = try run("kill -TERM $$", on: sshd.target())
        #expect(result.exit.signal == "TERM")
    }

    @Test func aForcedCommandRunsWhateverCommandWasRequested() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let script = try sshd.makeScript(named: "agent.sh", body: "echo \"forced, asked for: $SSH_ORIGINAL_COMMAND\"")
        let key = try sshd.makeKey(named: "agent")
        try sshd.authorize(key, forcedCommand: script)
        let result = try run("pmagent serve", on: sshd.target(identity: key.privateKeyPath))
        #expect(String(decoding: result.stdout, as: UTF8.self) == "forced, asked for: pmagent serve\n")
    }

    @Test func severalChannelsRunOneAfterAnotherOnOneSession() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let deadline = Deadline.after(seconds: 10)
        let session = try SSHSession.connect(to: sshd.target(), deadline: deadline)
        for number in 1...3 {
            let channel = try session.exec("echo \(number)", deadline: deadline)
            let output = try channel.readToEnd(deadline: deadline)
            try channel.close(deadline: deadline)
            #expect(String(decoding: output.stdout, as: UTF8.self) == "\(number)\n")
        }
    }
}

@Suite("Channel lifetime")
struct ChannelLifetimeTests {
    @Test func usingAChannelAfterCloseIsAnErrorNotACrash() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let deadline = Deadline.after(seconds: 10)
        let session = try SSHSession.connect(to: sshd.target(), deadline: deadline)
        let channel = try session.exec("true", deadline: deadline)
        try channel.close(deadline: deadline)
        #expect(throws: SSHError.channelFailed("the channel is already closed")) { try channel.read(deadline: deadline) }
        #expect(throws: SSHError.channelFailed("the channel is already closed")) { try channel.write([1], deadline: deadline) }
    }

    @Test func aSessionDroppedMidCommandLeavesNoRemoteProcessWaiting() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let marker = sshd.directory.appendingPathComponent("still-running").path
        do {
            let deadline = Deadline.after(seconds: 10)
            let session = try SSHSession.connect(to: sshd.target(), deadline: deadline)
            let channel = try session.exec("/bin/cat >/dev/null; touch \(marker)", deadline: deadline)
            try channel.write(Array("x".utf8), deadline: deadline)
            _ = channel  // released here without close: deinit must free it and cut the link
        }
        // cat sees EOF when sshd notices the client is gone, then the marker appears.
        let until = Date().addingTimeInterval(5)
        while !FileManager.default.fileExists(atPath: marker) && Date() < until { usleep(20_000) }
        #expect(FileManager.default.fileExists(atPath: marker))
    }
}
