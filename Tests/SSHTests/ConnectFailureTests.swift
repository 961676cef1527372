import Foundation
import SSH
import Testing
import TestSupport

/// Each way a connection can fail ends with its own typed error, and within its deadline.
@Suite("Connection failures")
struct ConnectFailureTests {
    /// Refused, not merely unreachable: the host's kernel answered, so it is up (an IPMI
    /// fallback must not cut its power).
    @Test func aPortWithNothingListeningIsRefusedAtOnce() throws {
        let closed = try ClosedPort()
        let target = try SSHTarget(host: "127.0.0.1", port: closed.port, user: "root", knownHosts: "/dev/null", agentSocket: nil)
        let outcome = timed { _ = try SSHSession.connect(to: target, deadline: .after(seconds: 5)) }
        guard case .connectionRefused(let host, let detail) = outcome.error else {
            Issue.record("expected connection refused, got \(String(describing: outcome.error))")
            return
        }
        #expect(host == "127.0.0.1")
        #expect(detail.contains("refused"))
        #expect(outcome.seconds < 1)
    }

    /// A name that does not resolve says nothing about the host: its own error, never
    /// `unreachable` or a connect timeout (either would let an IPMI fallback act).
    @Test func aNameThatDoesNotResolveIsANameResolutionFailureEvenAtTheDeadline() throws {
        // ".invalid" never resolves (RFC 2606); a resolver without network may also hang,
        // which the deadline must cut.
        let target = try SSHTarget(host: "pmcontrol-test.invalid", user: "root", knownHosts: "/dev/null", agentSocket: nil)
        let outcome = timed { _ = try SSHSession.connect(to: target, deadline: .after(seconds: 2)) }
        guard case .nameResolution(let host, _)? = outcome.error else {
            Issue.record("expected a name resolution failure, got \(String(describing: outcome.error))")
            return
        }
        #expect(host == "pmcontrol-test.invalid")
        #expect(outcome.seconds < 3)
    }

    @Test func aServerThatNeverSpeaksTimesOutInTheHandshakeAtTheDeadline() throws {
        let silent = try SilentListener()
        let target = try SSHTarget(host: "127.0.0.1", port: silent.port, user: "root", knownHosts: "/dev/null", agentSocket: nil)
        let outcome = timed { _ = try SSHSession.connect(to: target, deadline: .after(seconds: 1.5)) }
        #expect(outcome.error == .timeout(.handshake))
        #expect(outcome.seconds >= 1.5)
        #expect(outcome.seconds < 2.0)
    }

    @Test func aHostThatDropsTheConnectionAttemptTimesOutInConnectAtTheDeadline() throws {
        let full = try SilentListener(full: true)
        let target = try SSHTarget(host: "127.0.0.1", port: full.port, user: "root", knownHosts: "/dev/null", agentSocket: nil)
        let outcome = timed { _ = try SSHSession.connect(to: target, deadline: .after(seconds: 1.2)) }
        #expect(outcome.error == .timeout(.connect))
        #expect(outcome.seconds >= 1.2)
        #expect(outcome.seconds < 1.7)
    }

    @Test func aServerThatStallsAuthenticationTimesOutInAuthAtTheDeadline() throws {
        // sshd asks AuthorizedKeysCommand about keys not in authorized_keys; this one
        // takes 5 s to answer (short, so the sshd child it holds ends soon after the test).
        let sshd = try SSHDaemon(extraConfig: ["AuthorizedKeysCommand /bin/sleep 5", "AuthorizedKeysCommandUser root"])
        defer { sshd.stopAndRemoveFiles() }
        let stranger = try sshd.makeUnauthorizedKey()
        let target = try sshd.target(identity: stranger.privateKeyPath)
        let outcome = timed { _ = try SSHSession.connect(to: target, deadline: .after(seconds: 1.5)) }
        #expect(outcome.error == .timeout(.auth))
        #expect(outcome.seconds >= 1.5)
        #expect(outcome.seconds < 2.2)
    }

    @Test func theTargetsConnectTimeoutIsTheDefaultDeadline() throws {
        let silent = try SilentListener()
        let target = try SSHTarget(
            host: "127.0.0.1", port: silent.port, user: "root", knownHosts: "/dev/null", agentSocket: nil,
            connectTimeout: .milliseconds(700))
        let outcome = timed { _ = try SSHSession.connect(to: target) }
        #expect(outcome.error == .timeout(.handshake))
        #expect(outcome.seconds >= 0.7)
        #expect(outcome.seconds < 1.2)
    }

    @Test func aServerWithOnlyAlgorithmsLibssh2LacksFailsTheHandshakeNamingTheFix() throws {
        let sshd = try SSHDaemon(extraConfig: ["KexAlgorithms sntrup761x25519-sha512@openssh.com"])
        defer { sshd.stopAndRemoveFiles() }
        let outcome = timed { _ = try SSHSession.connect(to: try sshd.target(), deadline: .after(seconds: 5)) }
        guard case .handshakeFailed = outcome.error else {
            Issue.record("expected handshakeFailed, got \(String(describing: outcome.error))")
            return
        }
        #expect(outcome.error?.description.contains("curve25519-sha256") == true)
    }

    @Test func badTargetsAreRejectedBeforeAnythingIsSent() {
        for host in ["", "-oProxyCommand=x", "a b", "user@host", "host;rm", "bad_label.example", "::zz", String(repeating: "a", count: 64)] {
            #expect(throws: SSHError.self, "host '\(host)'") {
                try SSHTarget(host: host, user: "root", knownHosts: "/k")
            }
        }
        for user in ["", "-root", "ro ot", "a;b", "root\n"] {
            #expect(throws: SSHError.self, "user '\(user)'") { try SSHTarget(host: "h", user: user, knownHosts: "/k") }
        }
        #expect(throws: SSHError.self) { try SSHTarget(host: "h", port: 0, user: "root", knownHosts: "/k") }
        #expect(throws: SSHError.self) { try SSHTarget(host: "h", port: 65536, user: "root", knownHosts: "/k") }
        for host in ["lab01", "node17.example.org", "10.0.0.1", "::1", "[fe80::1]", "xn--bcher-kva.example"] {
            #expect((try? SSHTarget(host: host, user: "root", knownHosts: "/k")) != nil, "host '\(host)'")
        }
    }
}
