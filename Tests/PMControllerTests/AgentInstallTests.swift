import Foundation
import Testing
import TestSupport

/// `pmctl agent install` against a real sshd on loopback, as root, into a user the install
/// creates: the forced command it installs then carries a CANCEL, a second install changes
/// nothing, and a sudoers file visudo refuses is never put in place.
@Suite(.serialized) struct AgentInstallTests {
    @Test func anInstalledAgentAnswersACancelThroughItsForcedCommandAndASecondInstallChangesNothing() throws {
        let target = try InstallTarget()
        defer { target.remove() }

        let first = try target.install(["--json"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let line = first.lines.first { $0.hasPrefix(#"{"host":"#) } ?? ""
        #expect(line.contains(#""action":"install","outcome":"ok""#), "\(line)")
        for step in [#"{"step":"user","name":"\#(target.user)","result":"created"}"#,
                     #"{"step":"binary","name":"\#(target.installPath)","result":"copied""#,
                     #"{"step":"ssh-dir","name":"\#(target.home)/.ssh","result":"created"}"#,
                     #"{"step":"key","name":"\#(target.authorizedKeys)","result":"added"}"#,
                     #"{"step":"sudoers","name":"\#(target.sudoersFile)","result":"written"}"#] {
            #expect(line.contains(step), "missing \(step) in \(line)")
        }
        // The check ran through the forced command: the agent's tool records came back.
        #expect(line.contains(#""records":[{"record":"tool""#), "\(line)")
        let schema = try JSONSchema.results()
        #expect(schema.violations(ofLines: first.stdout) == [])

        // What is on the host now: the user with /bin/sh, the binary, the key line once, sudoers.
        let account = try #require(getpwnam(target.user)?.pointee)
        #expect(String(cString: account.pw_shell) == "/bin/sh")
        let binary = try #require(target.snapshot(target.installPath))
        #expect(binary.bytes == FileManager.default.contents(atPath: Repository.executable("pmagent").path))
        #expect(binary.mode == 0o755 && binary.uid == 0)
        let keys = try #require(target.snapshot(target.authorizedKeys))
        #expect(keys.mode == 0o600 && keys.uid == account.pw_uid && keys.gid == account.pw_gid)
        var sshDirectory = stat()
        #expect(lstat(target.home + "/.ssh", &sshDirectory) == 0)
        #expect(sshDirectory.st_mode & S_IFMT == S_IFDIR && sshDirectory.st_mode & 0o7777 == 0o700)
        #expect(sshDirectory.st_uid == account.pw_uid && sshDirectory.st_gid == account.pw_gid)
        #expect(try target.sshEntries() == ["authorized_keys"], "nothing staged is left in ~/.ssh")
        let keyText = String(decoding: keys.bytes, as: UTF8.self)
        let wanted = "command=\"\(target.installPath) serve --tool-dir \(target.root.file("tools")) --no-system-tools "
            + "--sysroot \(target.root.file("sysroot")) --libvirt-uri test://\(target.nodePath)\",restrict "
            + target.controllerKey.publicKeyLine + "\n"
        #expect(keyText == wanted)
        let sudoers = try #require(target.snapshot(target.sudoersFile))
        let generated = try ProgramRun.run(Repository.executable("pmctl"), ["agent", "sudoers", "--user", target.user])
        #expect(String(decoding: sudoers.bytes, as: UTF8.self) == generated.stdout)
        #expect(sudoers.mode == 0o440 && sudoers.uid == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.sudoersDirectory) == ["pmagent"])

        // A CANCEL through the installed forced command, logged in as the agent's user with the
        // controller's key: the agent (--libvirt-uri from the key line) shuts both guests down.
        let cancel = try target.pmctl(["--json", "--user", target.user, "--identity", target.controllerKey.privateKeyPath,
                                       "cancel", target.sshd.host])
        #expect(cancel.status == 0, "\(cancel.stdout)\(cancel.stderr)")
        let cancelLine = cancel.lines.first { $0.hasPrefix(#"{"host":"#) } ?? ""
        #expect(cancelLine.contains(#""outcome":"ok""#), "\(cancelLine)")
        #expect(cancelLine.contains(#"{"step":"vm","name":"guest1","result":"shutdown""#), "\(cancelLine)")
        #expect(cancelLine.contains(#"{"step":"vm","name":"guest2","result":"shutdown""#), "\(cancelLine)")
        // The key is good for the agent and nothing else: asking for a shell command gets the agent.
        let ssh = try ProgramRun.run(URL(fileURLWithPath: "/usr/bin/ssh"),
                                     ["-F", "/dev/null", "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=\(target.sshd.knownHostsPath)",
                                      "-o", "IdentitiesOnly=yes", "-i", target.controllerKey.privateKeyPath, "-p", String(target.sshd.port),
                                      "\(target.user)@\(target.sshd.host)", "id"], environment: ["SSH_AUTH_SOCK": nil], timeout: 30)
        #expect(ssh.stdout.hasPrefix("HELLO "), "\(ssh.stdout)\(ssh.stderr)")
        #expect(!ssh.stdout.contains("uid="))

        // Again: every step says unchanged, and no file was rewritten.
        let second = try target.install()
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        for step in ["user \(target.user) exists", "binary \(target.installPath) unchanged",
                     "key \(target.authorizedKeys) unchanged", "sudoers \(target.sudoersFile) unchanged"] {
            #expect(second.stdout.contains(step), "missing '\(step)' in \(second.stdout)")
        }
        #expect(!second.stdout.contains("ssh-dir"), "\(second.stdout)")
        #expect(second.stdout.contains("TOOL"), "the check table: \(second.stdout)")
        #expect(target.snapshot(target.installPath) == binary)
        #expect(target.snapshot(target.authorizedKeys) == keys)
        #expect(target.snapshot(target.sudoersFile) == sudoers)
    }

    @Test func aSudoersFileVisudoRefusesIsNeverInstalled() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        // The template with one rule broken (a missing ':' after NOPASSWD).
        let template = try String(contentsOf: Repository.root.appendingPathComponent("agent/deploy/sudoers.template"), encoding: .utf8)
        let broken = template.replacingOccurrences(of: "NOPASSWD: /usr/sbin/poweroff", with: "NOPASSWD /usr/sbin/poweroff (")
        #expect(broken != template)
        try target.root.write("broken.sudoers", broken)

        let refused = try target.install(["--sudoers-from", target.root.file("broken.sudoers")])
        #expect(refused.status == 1)
        let refusedJSON = try target.install(["--sudoers-from", target.root.file("broken.sudoers"), "--json"])
        #expect(refusedJSON.stdout.contains(#""outcome":"failed""#) && refusedJSON.stdout.contains(#""result":"refused""#), "\(refusedJSON.stdout)")
        #expect(try JSONSchema.results().violations(ofLines: refusedJSON.stdout) == [])
        #expect(refused.stdout.contains("sudoers \(target.sudoersFile) refused"), "\(refused.stdout)")
        #expect(refused.stdout.contains("visudo on 127.0.0.1 refused the sudoers file, so it was not installed"), "\(refused.stdout)")
        #expect(refused.stdout.contains("\(target.sshd.host)  failed"), "\(refused.stdout)")
        #expect(target.snapshot(target.sudoersFile) == nil)
        #expect(try target.sshEntries() == ["authorized_keys"], "a failed install leaves nothing staged in ~/.ssh")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.sudoersDirectory).isEmpty, "the staged file is gone too")

        // The unbroken template is accepted, and a broken one later leaves it as it was.
        try target.root.write("good.sudoers", template)
        let good = try target.install(["--sudoers-from", target.root.file("good.sudoers")])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        let installed = try #require(target.snapshot(target.sudoersFile))
        #expect(String(decoding: installed.bytes, as: UTF8.self) == template.replacingOccurrences(of: "@AGENT_USER@", with: target.user))
        let again = try target.install(["--sudoers-from", target.root.file("broken.sudoers")])
        #expect(again.status == 1)
        #expect(again.stdout.contains("is unchanged"), "\(again.stdout)")
        #expect(target.snapshot(target.sudoersFile) == installed)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.sudoersDirectory) == ["pmagent"])
    }

    /// CONTRACT: the journal holds what was done. An install run is in `pmctl history` with
    /// its hosts' steps; `pmctl retry` refuses it (exit 2) rather than guess the local files.
    @Test func anInstallRunIsJournaledAndRetryRefusesToReplayIt() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        let install = try target.install(["--json"])
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        let summary = try #require(install.lines.last)
        let runID = try #require(summary.firstMatch(of: /"run":"([^"]+)"/)?.1).description

        let history = try target.pmctl(["history", "--json"])
        #expect(history.status == 0, "\(history.stderr)")
        let run = history.lines.first { $0.contains(#""run":"\#(runID)""#) } ?? ""
        #expect(run.contains("agent install") && run.contains(#""ok":1"#) && run.contains(#""unfinished":0"#), "\(history.stdout)")
        let hosts = try target.pmctl(["history", runID, "--json"])
        let host = hosts.lines.first { $0.hasPrefix(#"{"host":"#) } ?? ""
        #expect(host.contains(#""action":"install","outcome":"ok""#), "\(hosts.stdout)")
        #expect(host.contains(#"{"step":"key","name":"\#(target.authorizedKeys)","result":"added"}"#), "\(host)")
        #expect(try JSONSchema.results().violations(ofLines: history.stdout + hosts.stdout) == [])

        let retry = try target.pmctl(["retry", runID])
        #expect(retry.status == 2)
        #expect(retry.stderr.contains("install runs cannot be retried from the journal"), "\(retry.stderr)")

        let dry = try target.install(["--dry-run"])
        #expect(dry.status == 0)
        #expect(try target.pmctl(["history", "--json"]).lines.count == history.lines.count, "a dry run is not journaled")
    }

    @Test func aDryRunListsEachChangeAndMakesNone() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        let dry = try target.install(["--dry-run"])
        #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
        let dryJSON = try target.install(["--dry-run", "--json"])
        #expect(try JSONSchema.results().violations(ofLines: dryJSON.stdout) == [])
        #expect(dryJSON.stdout.contains(#""outcome":"skipped""#), "\(dryJSON.stdout)")
        for step in ["user \(target.user) would-create", "binary \(target.installPath) would-copy (not there)",
                     "key ~\(target.user)/.ssh/authorized_keys would-add", "sudoers \(target.sudoersFile) would-write",
                     "dry run: nothing was changed", "skipped"] {
            #expect(dry.stdout.contains(step), "missing '\(step)' in \(dry.stdout)")
        }
        #expect(getpwnam(target.user) == nil)
        #expect(target.snapshot(target.installPath) == nil)
        #expect(target.snapshot(target.sudoersFile) == nil)
    }

    @Test func aLineForTheSameKeyWithOtherOptionsIsReplacedAndOtherKeysStay() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        #expect(try target.install().status == 0)
        // Someone put the controller's key in twice, once without restriction, beside another key.
        let other = try target.sshd.makeKey(named: "colleague")
        let original = try #require(target.snapshot(target.authorizedKeys))
        let wanted = String(decoding: original.bytes, as: UTF8.self)
        let tampered = "# keys\n\(other.publicKeyLine)\nno-pty \(target.controllerKey.publicKeyLine)\n" + wanted
        try tampered.write(toFile: target.authorizedKeys, atomically: false, encoding: .utf8)
        chmod(target.authorizedKeys, 0o644)

        let dry = try target.install(["--dry-run"])
        #expect(dry.stdout.contains("key \(target.authorizedKeys) would-replace (was: no-pty)"), "\(dry.stdout)")
        #expect(try String(contentsOfFile: target.authorizedKeys, encoding: .utf8) == tampered)

        let fixed = try target.install()
        #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
        #expect(fixed.stdout.contains("key \(target.authorizedKeys) replaced (was: no-pty)"), "\(fixed.stdout)")
        #expect(try String(contentsOfFile: target.authorizedKeys, encoding: .utf8) == "# keys\n\(other.publicKeyLine)\n" + wanted)
        let after = try #require(target.snapshot(target.authorizedKeys))
        #expect(after.mode == 0o600 && after.uid == original.uid)
    }

    @Test func aChangedBinaryIsCopiedAgainAndRawWoLGrantsItsCapabilityOnce() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        let first = try target.install(["--raw-wol"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("capability \(target.installPath) granted (cap_net_raw+ep)"), "\(first.stdout)")
        #expect(try Self.capabilities(target.installPath).contains("cap_net_raw=ep"))
        let again = try target.install(["--raw-wol"])
        #expect(again.stdout.contains("binary \(target.installPath) unchanged, capability \(target.installPath) unchanged"), "\(again.stdout)")

        // Someone replaced the binary: it is copied back (which drops the capability), and granted again.
        try "#!/bin/sh\nexit 0\n".write(toFile: target.installPath, atomically: false, encoding: .utf8)
        let repaired = try target.install(["--raw-wol"])
        #expect(repaired.status == 0, "\(repaired.stdout)\(repaired.stderr)")
        #expect(repaired.stdout.contains("binary \(target.installPath) copied (content differs), capability \(target.installPath) granted"),
                "\(repaired.stdout)")
        #expect(target.snapshot(target.installPath)?.bytes == FileManager.default.contents(atPath: Repository.executable("pmagent").path))
        #expect(try Self.capabilities(target.installPath).contains("cap_net_raw=ep"))

        // Another capability set that merely mentions cap_net_raw is not the one wanted: set again.
        let setcap = try ProgramRun.run(URL(fileURLWithPath: "/sbin/setcap"), ["cap_net_raw,cap_net_admin+ep", target.installPath])
        #expect(setcap.status == 0, "\(setcap.stderr)")
        let regranted = try target.install(["--raw-wol"])
        #expect(regranted.stdout.contains("capability \(target.installPath) granted (cap_net_raw+ep)"), "\(regranted.stdout)")
        #expect(try Self.capabilities(target.installPath) == "\(target.installPath) cap_net_raw=ep\n")
    }

    @Test func wrongModesAreFixedWithoutRewritingTheFiles() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        #expect(try target.install().status == 0)
        let files = [target.installPath, target.authorizedKeys, target.sudoersFile]
        let before = files.map(target.snapshot)
        for (path, mode) in zip(files + [target.home + "/.ssh"], [0o700, 0o644, 0o640, 0o755] as [mode_t]) { chmod(path, mode) }

        let dry = try target.install(["--dry-run"])
        #expect(dry.stdout.contains("binary \(target.installPath) would-fix-mode (is 700 0:0, wants 755 0:0)"), "\(dry.stdout)")
        let fixed = try target.install()
        #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
        for step in ["binary \(target.installPath) mode-fixed", "ssh-dir \(target.home)/.ssh mode-fixed",
                     "key \(target.authorizedKeys) mode-fixed", "sudoers \(target.sudoersFile) mode-fixed"] {
            #expect(fixed.stdout.contains(step), "missing '\(step)' in \(fixed.stdout)")
        }
        // The same files (inode, bytes) with their modes back; and then nothing more to do.
        for (path, old) in zip(files, before) {
            let now = try #require(target.snapshot(path))
            #expect(now.inode == old?.inode && now.bytes == old?.bytes && now.mode == old?.mode, "\(path)")
        }
        let settled = try target.install()
        #expect(!settled.stdout.contains("mode-fixed") && settled.stdout.contains("sudoers \(target.sudoersFile) unchanged"), "\(settled.stdout)")
    }

    @Test func theInstallLoginsOwnAccountIsNeverMadeTheAgent() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        let run = try target.pmctl(["agent", "install", "--user", "root", "--admin-identity", target.sshd.clientKey.privateKeyPath,
                                    "--identity", target.controllerKey.privateKeyPath, "--binary", Repository.executable("pmagent").path,
                                    "--install-path", target.installPath, "--sudoers-dir", target.sudoersDirectory, target.sshd.host])
        #expect(run.status == 1)
        #expect(run.stdout.contains("refused"))
        #expect(run.stdout.contains("the agent's user is the install login 'root'"), "\(run.stdout)")
        #expect(target.snapshot(target.installPath) == nil)
    }

    @Test func theInventoryNamesTheAgentsLoginAndTheConsoleLoginInstallsIt() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        try target.root.write("inventory.yaml", """
            hosts:
              node1:
                address: \(target.sshd.host)
                port: \(target.sshd.port)
                user: \(target.user)
                identity: \(target.controllerKey.privateKeyPath)
                known_hosts: \(target.sshd.knownHostsPath)
                console_user: root
                console_identity: \(target.sshd.clientKey.privateKeyPath)

            """)
        let inventory = ["--inventory", target.root.file("inventory.yaml")]
        let install = try target.pmctl(inventory + ["agent", "install", "--binary", Repository.executable("pmagent").path,
                                                    "--install-path", target.installPath, "--sudoers-dir", target.sudoersDirectory,
                                                    "--serve-arg", "--no-system-tools", "node1"])
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        #expect(install.stdout.contains("node1  ok") && install.stdout.contains("user \(target.user) created"), "\(install.stdout)")
        // Every other command reaches the new agent with the inventory's login alone.
        let status = try target.pmctl(inventory + ["status", "node1"])
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.contains("node1  ok"), "\(status.stdout)")
    }

    @Test func anExistingUserWhoseShellCannotRunTheForcedCommandIsRefused() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        let useradd = try ProgramRun.run(URL(fileURLWithPath: "/usr/sbin/useradd"),
                                         ["--system", "--create-home", "--shell", "/usr/sbin/nologin", target.user])
        #expect(useradd.status == 0, "\(useradd.stderr)")
        let run = try target.install()
        #expect(run.status == 1)
        #expect(run.stdout.contains("refused"))
        #expect(run.stdout.contains("login shell is '/usr/sbin/nologin'") && run.stdout.contains("usermod -s /bin/sh"), "\(run.stdout)")
        #expect(target.snapshot(target.installPath) == nil)
    }

    @Test func anUnknownHostKeyStopsTheInstallBeforeAnythingIsSent() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        let run = try target.install(["--known-hosts", try target.sshd.makeEmptyKnownHosts(), "--json"])
        #expect(run.status == 1)
        let line = run.lines.first { $0.hasPrefix(#"{"host":"#) } ?? ""
        #expect(line.contains(#""outcome":"hostkey""#) && line.contains("ssh-keyscan"), "\(line)")
        #expect(getpwnam(target.user) == nil)
        #expect(target.snapshot(target.installPath) == nil)
    }

    static func capabilities(_ path: String) throws -> String {
        try ProgramRun.run(URL(fileURLWithPath: "/sbin/getcap"), [path]).stdout
    }

    @Test(arguments: [
        (["--serve-arg", "--config=/etc/x;reboot"], "--serve-arg '--config=/etc/x;reboot' may hold only"),
        (["--install-path", "relative/pmagent"], "--install-path 'relative/pmagent' must be an absolute file path"),
        (["--user", "root,ALL"], "--user 'root,ALL' is not a login name"),
        (["--sudoers-dir", "/etc/sudoers.d bad"], "--sudoers-dir '/etc/sudoers.d bad' must be an absolute path"),
        (["--key", "/nonexistent.pub"], "cannot read the controller's public key /nonexistent.pub"),
        (["--binary", "/nonexistent/pmagent"], "cannot read the pmagent binary /nonexistent/pmagent"),
    ])
    func badInputIsRefusedBeforeAnyHostIsTouched(_ arguments: [String], _ expected: String) throws {
        let run = try ProgramRun.run(Repository.executable("pmctl"), ["agent", "install"] + arguments + ["127.0.0.1"],
                                     environment: ["SSH_AUTH_SOCK": nil])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains(expected), "\(run.stderr)")
    }
}
