import Foundation
import Testing
import TestSupport

/// pmctl over SSH against real OpenSSH sshd instances on loopback: every way a host can
/// fail gets its own outcome, all in one run, and the run's exit code says not all was ok.
@Suite(.serialized) struct SSHOutcomeTests {
    @Test func eachFailureEndsWithItsOwnOutcome() throws {
        let agent = Repository.executable("pmagent").path
        let scripts = try TemporaryDirectory()
        defer { scripts.remove() }
        // An agent that greets, then never answers a request (and leaves when its input closes).
        try scripts.write("hang.sh", "#!/bin/sh\necho 'HELLO proto=1.0 agent=stuck host=hang caps=ping'\nexec /bin/cat >/dev/null\n", mode: 0o755)
        let good = try SSHDaemon(forcedCommand: "\(agent) serve --no-system-tools")
        let hanging = try SSHDaemon(forcedCommand: scripts.file("hang.sh"))
        // TCP connects, the handshake fails: no algorithm libssh2 1.10 shares with it.
        let newKexOnly = try SSHDaemon(extraConfig: ["KexAlgorithms sntrup761x25519-sha512@openssh.com"])
        let closed = try ClosedPort()
        let silent = try SilentListener()
        let stranger = try good.makeUnauthorizedKey()
        let unknownHosts = try good.makeEmptyKnownHosts()
        let changedHosts = try good.makeChangedKnownHosts(leadingLines: 2)
        let state = try TemporaryDirectory()
        defer { good.stopAndRemoveFiles(); hanging.stopAndRemoveFiles(); newKexOnly.stopAndRemoveFiles(); state.remove() }

        func entry(_ name: String, port: Int, key: String, knownHosts: String) -> String {
            "  \(name):\n    address: 127.0.0.1\n    port: \(port)\n    user: root\n    identity: \(key)\n    known_hosts: \(knownHosts)\n"
        }
        let key = good.clientKey.privateKeyPath
        try state.write("inventory.yaml", "hosts:\n"
            + entry("h-ok", port: good.port, key: key, knownHosts: good.knownHostsPath)
            + entry("h-auth", port: good.port, key: stranger.privateKeyPath, knownHosts: good.knownHostsPath)
            + entry("h-unknown", port: good.port, key: key, knownHosts: unknownHosts)
            + entry("h-changed", port: good.port, key: key, knownHosts: changedHosts)
            + entry("h-refused", port: closed.port, key: key, knownHosts: good.knownHostsPath)
            + entry("h-silent", port: silent.port, key: key, knownHosts: good.knownHostsPath)
            + entry("h-hang", port: hanging.port, key: hanging.clientKey.privateKeyPath, knownHosts: hanging.knownHostsPath)
            + entry("h-kex", port: newKexOnly.port, key: newKexOnly.clientKey.privateKeyPath, knownHosts: newKexOnly.knownHostsPath))

        let started = Date()
        let run = try ProgramRun.run(Repository.executable("pmctl"),
                                     ["--inventory", state.file("inventory.yaml"), "--state", state.file("state"), "--json",
                                      "--connect-timeout", "3", "--timeout", "3",
                                      "status", "h-ok", "h-auth", "h-unknown", "h-changed", "h-refused", "h-silent", "h-hang", "h-kex"],
                                     environment: ["SSH_AUTH_SOCK": nil, "HOME": state.path])
        let elapsed = Date().timeIntervalSince(started)
        #expect(run.status == 1, "\(run.stderr)")
        let expected = ["h-ok": "ok", "h-auth": "auth", "h-unknown": "hostkey", "h-changed": "hostkey",
                        "h-refused": "unreachable", "h-silent": "timeout", "h-hang": "timeout",
                        // TCP answered, so not unreachable: SSH itself failed, and the message says how.
                        "h-kex": "failed"]
        for (host, outcome) in expected {
            let line = run.lines.first { $0.hasPrefix(#"{"host":"\#(host)","#) } ?? "(no line)"
            #expect(line.contains(#""outcome":"\#(outcome)""#), "\(host): \(line)")
        }
        // Side by side: the slowest deadline (3 s connect + 3 s action), not their sum.
        #expect(elapsed < 12, "took \(elapsed) s")
        let messages = run.lines.joined(separator: "\n")
        #expect(messages.contains("ssh-keyscan"), "an unknown key says how to add it")
        #expect(messages.contains("known_hosts"), "a changed key names the file")
        let kex = run.lines.first { $0.hasPrefix(#"{"host":"h-kex","#) } ?? ""
        #expect(kex.contains("SSH handshake failed") && kex.contains("curve25519-sha256"), "\(kex)")
    }

    /// Ctrl-C while hosts are still connecting (a TCP connect nobody answers, a server that
    /// never sends its banner) ends them at once as `unfinished`, not at their deadline as
    /// `unreachable` or `timeout`.
    @Test func ctrlCWhileConnectingLeavesTheHostsUnfinished() throws {
        let blackHole = try SilentListener(full: true)
        let silent = try SilentListener()
        let sshd = try SSHDaemon()
        let state = try TemporaryDirectory()
        defer { sshd.stopAndRemoveFiles(); state.remove() }
        let key = sshd.clientKey.privateKeyPath
        try state.write("inventory.yaml", "hosts:\n"
            + "  h-connect:\n    address: 127.0.0.1\n    port: \(blackHole.port)\n    user: root\n    identity: \(key)\n    known_hosts: \(sshd.knownHostsPath)\n"
            + "  h-banner:\n    address: 127.0.0.1\n    port: \(silent.port)\n    user: root\n    identity: \(key)\n    known_hosts: \(sshd.knownHostsPath)\n")
        let started = Date()
        let run = try ProgramRun.run(Repository.executable("pmctl"),
                                     ["--inventory", state.file("inventory.yaml"), "--state", state.file("state"), "--json",
                                      "--connect-timeout", "30", "status", "h-connect", "h-banner"],
                                     environment: ["SSH_AUTH_SOCK": nil, "HOME": state.path], interruptAfter: 1)
        let elapsed = Date().timeIntervalSince(started)
        #expect(run.status == 130, "\(run.stderr)")
        for host in ["h-connect", "h-banner"] {
            let line = run.lines.first { $0.hasPrefix(#"{"host":"\#(host)","#) } ?? "(no line)"
            #expect(line.contains(#""outcome":"unfinished""#), "\(host): \(line)")
        }
        // Well before the 30 s connect deadline either would otherwise have waited for.
        #expect(elapsed < 10, "took \(elapsed) s")
    }
}
