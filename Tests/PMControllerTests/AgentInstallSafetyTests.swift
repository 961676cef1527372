import Foundation
import Testing
import TestSupport

/// `pmctl agent install` runs as root on hosts whose agent user owns its home and may be
/// hostile: what that user plants there (links to root's files, a link at a staged name),
/// an account that is root under another name, and places where root writes but others can
/// change the way there. Each attack aims at a root-owned stand-in the test makes (never the
/// real /etc/shadow); the tests check that its owner, mode and bytes stay as they were.
@Suite(.serialized) struct AgentInstallSafetyTests {
    /// An install that ends refused (exit 1) for `reason`.
    static func expectRefused(_ target: InstallTarget, because reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let run = try target.install()
        #expect(run.status == 1, sourceLocation: sourceLocation)
        #expect(run.stdout.contains("refused") && run.stdout.contains(reason), "\(run.stdout)", sourceLocation: sourceLocation)
    }

    /// The first regular file (links not followed) in `folder` whose bytes contain `text`.
    static func regularFileHolding(_ text: String, in folder: String) throws -> String? {
        try FileManager.default.contentsOfDirectory(atPath: folder).map { folder + "/" + $0 }.first { path in
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, let data = FileManager.default.contents(atPath: path) else { return false }
            return String(decoding: data, as: UTF8.self).contains(text)
        }
    }

    static func ownerAndMode(_ path: String) -> (uid: uid_t, mode: mode_t)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (info.st_uid, info.st_mode & 0o7777)
    }

    @Test func aSshFolderLinkedToARootFolderIsRefusedAndTheFolderKeepsItsOwner() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        #expect(try target.install().status == 0)
        let folder = target.root.file("etc")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        chmod(folder, 0o755)
        let shadow = try target.victim("etc/shadow", "root:$6$secret:19000::::::\n", mode: 0o640)
        let before = target.snapshot(shadow)
        try target.asUser("rm -rf \(target.home)/.ssh && ln -s \(folder) \(target.home)/.ssh")

        try Self.expectRefused(target, because: "\(target.home)/.ssh is a symbolic link")
        #expect(Self.ownerAndMode(folder)?.uid == 0 && Self.ownerAndMode(folder)?.mode == 0o755)
        #expect(target.snapshot(shadow) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["shadow"])
    }

    @Test func aKeyFileLinkedToARootFileIsRefusedAndTheFileIsNeverCopied() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        #expect(try target.install().status == 0)
        let shadow = try target.victim("shadow", "root:$6$secret:19000::::::\n", mode: 0o600)
        let before = target.snapshot(shadow)
        try target.asUser("ln -sf \(shadow) \(target.authorizedKeys)")

        try Self.expectRefused(target, because: "\(target.authorizedKeys) is a symbolic link")
        #expect(target.snapshot(shadow) == before)
        // No file in ~/.ssh holds the secret, no staged file is left behind, the link is as planted.
        #expect(try Self.regularFileHolding("$6$secret", in: target.home + "/.ssh") == nil)
        #expect(try target.sshEntries() == ["authorized_keys"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target.authorizedKeys) == shadow)
    }

    @Test func aLinkPlantedAtAStagedNameIsNeverWrittenThrough() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        #expect(try target.install().status == 0)
        let wanted = try #require(target.snapshot(target.authorizedKeys))
        let shadow = try target.victim("shadow", "root:$6$secret:19000::::::\n", mode: 0o600)
        let before = target.snapshot(shadow)
        // The names the install used to stage and upload to, and an empty key file so it must write.
        let staged = target.home + "/.ssh/.authorized_keys.pmctl-new"
        try target.asUser("ln -s \(shadow) \(staged) && ln -s \(shadow) \(staged).pmctl-upload && : > \(target.authorizedKeys)")

        let run = try target.install()
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("key \(target.authorizedKeys) added"), "\(run.stdout)")
        #expect(target.snapshot(shadow) == before)
        let keys = try #require(target.snapshot(target.authorizedKeys))
        #expect(keys.bytes == wanted.bytes && keys.mode == 0o600 && keys.uid == wanted.uid)
        #expect(try target.sshEntries() == [".authorized_keys.pmctl-new", ".authorized_keys.pmctl-new.pmctl-upload", "authorized_keys"])
    }

    /// Root never chowns in the agent's home: a key file of root's that the user can read is
    /// replaced by the user's own copy (same bytes); one it cannot read, and a ~/.ssh of
    /// root's, which the user cannot fix, are refused.
    @Test func filesOfAnotherOwnerInTheHomeAreReplacedAsTheUserOrRefused() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        #expect(try target.install().status == 0)
        let before = try #require(target.snapshot(target.authorizedKeys))
        chown(target.authorizedKeys, 0, 0)
        chmod(target.authorizedKeys, 0o600)
        try Self.expectRefused(target, because: "\(target.authorizedKeys) (mode 600, uid 0) cannot be read by \(target.user)")
        #expect(Self.ownerAndMode(target.authorizedKeys)?.uid == 0)
        chmod(target.authorizedKeys, 0o644)

        let run = try target.install()
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("key \(target.authorizedKeys) mode-fixed"), "\(run.stdout)")
        let after = try #require(target.snapshot(target.authorizedKeys))
        #expect(after.bytes == before.bytes && after.uid == before.uid && after.gid == before.gid && after.mode == 0o600)
        #expect(try target.sshEntries() == ["authorized_keys"])

        chown(target.home + "/.ssh", 0, 0)
        try Self.expectRefused(target, because: "\(target.home)/.ssh is owned by uid 0, not by \(target.user)")
        #expect(Self.ownerAndMode(target.home + "/.ssh")?.uid == 0)
    }

    @Test func anAccountWithUidZeroIsRefusedBeforeAnythingIsWritten() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        let home = target.root.file("alias-home")
        let useradd = try ProgramRun.run(URL(fileURLWithPath: "/usr/sbin/useradd"),
                                         ["--non-unique", "--uid", "0", "--gid", "0", "--no-user-group", "--no-create-home",
                                          "--home-dir", home, "--shell", "/bin/sh", target.user])
        #expect(useradd.status == 0, "\(useradd.stderr)")
        // userdel refuses a uid 0 name while root's processes run, unless forced.
        defer { _ = try? ProgramRun.run(URL(fileURLWithPath: "/usr/sbin/userdel"), ["--force", target.user]) }

        try Self.expectRefused(target, because: "\(target.user) has uid 0")
        #expect(target.snapshot(target.installPath) == nil)
        #expect(!FileManager.default.fileExists(atPath: home))
    }

    @Test func anAccountWhoseHomeBelongsToAnotherUidIsRefused() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        let home = target.root.file("elsewhere")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: false)
        let useradd = try ProgramRun.run(URL(fileURLWithPath: "/usr/sbin/useradd"),
                                         ["--system", "--no-create-home", "--home-dir", home, "--shell", "/bin/sh", target.user])
        #expect(useradd.status == 0, "\(useradd.stderr)")

        try Self.expectRefused(target, because: "\(home), belongs to uid 0, not to \(target.user)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: home).isEmpty)
        #expect(target.snapshot(target.installPath) == nil)
    }

    @Test func aLinkAtTheInstallPathIsRefusedAndItsTargetKeepsItsMode() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        // The same bytes as the agent, so an install that followed the link would only "fix its mode".
        let elsewhere = target.root.file("root-tool")
        try FileManager.default.copyItem(atPath: Repository.executable("pmagent").path, toPath: elsewhere)
        chmod(elsewhere, 0o700)
        let before = target.snapshot(elsewhere)
        try FileManager.default.createSymbolicLink(atPath: target.installPath, withDestinationPath: elsewhere)

        try Self.expectRefused(target, because: "\(target.installPath) is a symbolic link")
        #expect(target.snapshot(elsewhere) == before)
    }

    @Test(arguments: [(uid_t(0), mode_t(0o777), "is writable by others than root (mode 777)"),
                      (uid_t(65534), mode_t(0o755), "belongs to uid 65534, not root")])
    func anInstallFolderOthersCanChangeIsRefused(_ owner: uid_t, _ mode: mode_t, _ expected: String) throws {
        let target = try InstallTarget()
        defer { target.remove() }
        let folder = target.root.file("bin")
        chown(folder, owner, 0)
        chmod(folder, mode)
        try Self.expectRefused(target, because: "\(folder) \(expected)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    /// A file that passes `visudo -cf` alone can still break the whole configuration: here it
    /// defines an alias another file in the include folder defines too. The whole check
    /// (--sudoers-config, a main file of the test's own) puts the previous file back.
    @Test func aSudoersFileThatBreaksTheWholeConfigurationIsRolledBack() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        try target.root.write("sudoers", "root ALL=(ALL:ALL) ALL\n@includedir \(target.sudoersDirectory)\n", mode: 0o440)
        try target.root.write("sudoers.d/other", "Cmnd_Alias PMTEST_SHARED = /bin/true\n", mode: 0o440)
        let whole = ["--sudoers-config", target.root.file("sudoers")]
        let good = try target.install(whole)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        let installed = try #require(target.snapshot(target.sudoersFile))

        let template = try String(contentsOf: Repository.root.appendingPathComponent("agent/deploy/sudoers.template"), encoding: .utf8)
        try target.root.write("clash.sudoers", template + "Cmnd_Alias PMTEST_SHARED = /bin/false\n")
        let clash = ["--sudoers-from", target.root.file("clash.sudoers")]
        let alone = try ProgramRun.run(URL(fileURLWithPath: "/usr/sbin/visudo"), ["-c", "-f", target.root.file("clash.sudoers")])
        #expect(alone.status == 0, "the file alone passes: \(alone.stdout)\(alone.stderr)")

        let refused = try target.install(whole + clash)
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("sudoers \(target.sudoersFile) refused"), "\(refused.stdout)")
        #expect(refused.stdout.contains("refused the whole sudoers configuration") && refused.stdout.contains("the previous file was put back"),
                "\(refused.stdout)")
        #expect(target.snapshot(target.sudoersFile)?.bytes == installed.bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.sudoersDirectory).sorted() == ["other", "pmagent"])

        // With no previous file, the new one is removed.
        try FileManager.default.removeItem(atPath: target.sudoersFile)
        let fresh = try target.install(whole + clash)
        #expect(fresh.status == 1)
        #expect(fresh.stdout.contains("the new file was removed"), "\(fresh.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.sudoersDirectory) == ["other"])
    }

    /// Ctrl-C while the install login waits for a server that never greets: the run ends at
    /// once with 130 and the host unfinished, not when the 60 s connect timeout runs out.
    @Test func ctrlCStopsAnInstallWaitingOnItsLogin() throws {
        let target = try InstallTarget()
        defer { target.remove() }
        let silent = try SilentListener()
        let started = Date()
        let run = try ProgramRun.run(Repository.executable("pmctl"),
                                     ["agent", "install", "--json", "--port", String(silent.port), "--connect-timeout", "60",
                                      "--known-hosts", target.sshd.knownHostsPath, "--state", target.root.file("state"),
                                      "--user", target.user, "--admin-identity", target.sshd.clientKey.privateKeyPath,
                                      "--identity", target.controllerKey.privateKeyPath, "--binary", Repository.executable("pmagent").path,
                                      "--install-path", target.installPath, "--sudoers-dir", target.sudoersDirectory, "127.0.0.1"],
                                     environment: ["SSH_AUTH_SOCK": nil], interruptAfter: 1.5, timeout: 30)
        withExtendedLifetime(silent) {}  // listening until pmctl is done
        #expect(run.status == 130, "\(run.stdout)\(run.stderr)")
        #expect(run.lines.contains { $0.hasPrefix(#"{"host":"127.0.0.1","action":"install","outcome":"unfinished""#) }, "\(run.stdout)")
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(getpwnam(target.user) == nil)
    }
}
