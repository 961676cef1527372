import Foundation
import SSH
import Testing
import TestSupport

@Suite("Authentication: ssh-agent, then key files")
struct AuthenticationTests {
    @Test func aKeyTheServerDoesNotKnowIsRefusedListingWhatWasTried() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let stranger = try sshd.makeUnauthorizedKey()
        let outcome = timed { _ = try SSHSession.connect(to: try sshd.target(identity: stranger.privateKeyPath)) }
        guard case .authFailed(let user, let tried) = outcome.error else {
            Issue.record("expected authFailed, got \(String(describing: outcome.error))")
            return
        }
        #expect(user == sshd.user)
        #expect(tried == ["\(stranger.privateKeyPath) (refused by the server)"])
        #expect(SSHError.authFailed(user: user, tried: tried).description.contains(stranger.privateKeyPath))
    }

    @Test func aMissingKeyFileIsNamedAsMissing() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let missing = sshd.directory.appendingPathComponent("no-such-key").path
        let outcome = timed { _ = try SSHSession.connect(to: try sshd.target(identity: missing)) }
        #expect(outcome.error == .authFailed(user: sshd.user, tried: ["\(missing) (no such file)"]))
    }

    @Test func aKeyHeldBySSHAgentLogsIn() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let agent = try SSHAgentProcess()
        defer { agent.stop() }
        try agent.add(sshd.clientKey)
        // The identity file given is refused, so only the agent can have logged us in.
        let stranger = try sshd.makeUnauthorizedKey()
        let result = try run(
            "echo via-agent", on: sshd.target(identity: stranger.privateKeyPath, agentSocket: agent.socketPath))
        #expect(String(decoding: result.stdout, as: UTF8.self) == "via-agent\n")
    }

    @Test func anAgentWithoutTheRightKeyFallsBackToTheKeyFile() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let agent = try SSHAgentProcess()
        defer { agent.stop() }
        let stranger = try sshd.makeUnauthorizedKey()
        try agent.add(stranger)
        let result = try run("echo via-file", on: sshd.target(agentSocket: agent.socketPath))
        #expect(String(decoding: result.stdout, as: UTF8.self) == "via-file\n")
    }

    @Test func refusedAgentKeysAndFilesAreAllListed() throws {
        let sshd = try SSHDaemon()
        defer { sshd.stopAndRemoveFiles() }
        let agent = try SSHAgentProcess()
        defer { agent.stop() }
        let agentKey = try sshd.makeKey(named: "agent-stranger")
        try agent.add(agentKey)
        let fileKey = try sshd.makeUnauthorizedKey()
        let outcome = timed {
            _ = try SSHSession.connect(to: try sshd.target(identity: fileKey.privateKeyPath, agentSocket: agent.socketPath))
        }
        #expect(
            outcome.error
                == .authFailed(
                    user: sshd.user,
                    tried: ["ssh-agent key 'agent-stranger' (refused by the server)", "\(fileKey.privateKeyPath) (refused by the server)"]))
    }
}
