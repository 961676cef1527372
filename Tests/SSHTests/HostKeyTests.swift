import Foundation
import SSH
import Testing
import TestSupport

@Suite("Host key checking against known_hosts")
struct HostKeyTests {
    @Test func anUnknownHostIsRefusedWithItsFingerprintAndTheCommandToTrustIt() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let knownHosts = try sshd.makeEmptyKnownHosts()
        let outcome = timed { _ = try SSHSession.connect(to: try sshd.target(knownHosts: knownHosts)) }
        guard case .hostKeyUnknown(let problem) = outcome.error else {
            Issue.record("expected hostKeyUnknown, got \(String(describing: outcome.error))")
            return
        }
        #expect(problem.keyType == "ssh-ed25519")
        #expect(problem.fingerprint == (try sshd.hostKey.fingerprint()))
        #expect(problem.knownHostsPath == knownHosts)
        let message = SSHError.hostKeyUnknown(problem).description
        #expect(message.contains("[127.0.0.1]:\(sshd.port)"))
        #expect(message.contains(problem.fingerprint))
        #expect(message.contains("ssh-keyscan -p \(sshd.port) -t ed25519 127.0.0.1 >> \(knownHosts)"))
    }

    @Test func aChangedHostKeyIsRefusedNamingTheKnownHostsLine() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let knownHosts = try sshd.makeChangedKnownHosts(leadingLines: 2)
        let outcome = timed { _ = try SSHSession.connect(to: try sshd.target(knownHosts: knownHosts)) }
        guard case .hostKeyChanged(let problem) = outcome.error else {
            Issue.record("expected hostKeyChanged, got \(String(describing: outcome.error))")
            return
        }
        #expect(problem.line == 3)
        #expect(problem.fingerprint == (try sshd.hostKey.fingerprint()))
        let message = SSHError.hostKeyChanged(problem).description
        #expect(message.contains("\(knownHosts) line 3"))
        #expect(message.contains("ssh-keygen -R '[127.0.0.1]:\(sshd.port)' -f \(knownHosts)"))
    }

    @Test func aHashedKnownHostsEntryIsAccepted() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let hashed = try sshd.makeHashedKnownHosts()
        let text = try String(contentsOfFile: hashed, encoding: .utf8)
        #expect(text.hasPrefix("|1|"))
        let result = try run("echo hashed", on: sshd.target(knownHosts: hashed))
        #expect(String(decoding: result.stdout, as: UTF8.self) == "hashed\n")
    }

    @Test func anEntryForTheSameHostOnAnotherPortDoesNotVouchForThisPort() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        // The right key, but filed under port 22 ("127.0.0.1"), as OpenSSH would not accept.
        let path = sshd.directory.appendingPathComponent("known_hosts.port22").path
        try "127.0.0.1 \(sshd.hostKey.publicKey)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = timed { _ = try SSHSession.connect(to: try sshd.target(knownHosts: path)) }
        guard case .hostKeyUnknown = outcome.error else {
            Issue.record("expected hostKeyUnknown, got \(String(describing: outcome.error))")
            return
        }
    }

    @Test func theEd25519KeyIsCheckedWhenTheServerAlsoHasAnECDSAKey() throws {
        // libssh2 prefers ecdsa; known_hosts holds only ed25519, so we must ask for it.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pmcontrol-ecdsa-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ecdsaPath = directory.appendingPathComponent("host_ecdsa").path
        let keygen = try ChildProcess("/usr/bin/ssh-keygen", ["-t", "ecdsa", "-N", "", "-q", "-f", ecdsaPath])
        while keygen.isRunning { usleep(10_000) }
        let sshd = try SSHDaemon(extraConfig: ["HostKey \(ecdsaPath)"])
        defer { sshd.stopAndRemoveFiles() }
        let result = try run("echo ok", on: sshd.target())
        #expect(String(decoding: result.stdout, as: UTF8.self) == "ok\n")
    }
}
