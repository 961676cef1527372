import Foundation
import TestSupport

/// A managed host for `pmctl agent install` tests, made of real parts on this machine: a
/// private sshd on loopback that reads users' own ~/.ssh/authorized_keys, a fresh user
/// name (`pminsXXXXXX`, created by the install itself and deleted with its home by
/// `remove()`), an install folder for the binary, a sudoers folder of the test's own (never
/// /etc/sudoers.d), and what the agent's forced command needs: a tool folder, a sysroot and a
/// libvirt test-driver node with two running guests.
final class InstallTarget {
    let sshd: SSHDaemon
    let root: TemporaryDirectory
    let user: String
    /// The controller's key: its line goes into the agent user's authorized_keys.
    let controllerKey: SSHKeyPair
    var installPath: String { root.file("bin/pmagent") }
    var sudoersDirectory: String { root.file("sudoers.d") }
    var sudoersFile: String { sudoersDirectory + "/pmagent" }
    var nodePath: String { root.file("node.xml") }
    var home: String { "/home/\(user)" }
    var authorizedKeys: String { home + "/.ssh/authorized_keys" }

    init() throws {
        sshd = try SSHDaemon(usersOwnAuthorizedKeys: true)
        root = try TemporaryDirectory("pmins")
        user = "pmins" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        controllerKey = try sshd.makeKey(named: "controller")
        // The agent's user must reach its tools, node file and binary.
        chmod(root.path, 0o755)
        for folder in ["bin", "sudoers.d", "tools", "sysroot/etc"] {
            try FileManager.default.createDirectory(atPath: root.file(folder), withIntermediateDirectories: true)
        }
        try root.write("sysroot/etc/hostname", "installed\n")
        try root.write("node.xml", """
            <node xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
              <domain type="test"><name>guest1</name><memory>65536</memory><os><type>hvm</type></os><test:runstate>1</test:runstate></domain>
              <domain type="test"><name>guest2</name><memory>65536</memory><os><type>hvm</type></os><test:runstate>1</test:runstate></domain>
            </node>

            """)
    }

    /// Deletes the user and its home (if the install made them), the files and the sshd.
    func remove() {
        // sshd first: userdel refuses a user whose sessions still run.
        sshd.stopAndRemoveFiles()
        if getpwnam(user) != nil { _ = try? ProgramRun.run(URL(fileURLWithPath: "/usr/sbin/userdel"), ["--remove", user]) }
        root.remove()
    }

    /// `pmctl agent install` against this host as root, with the test's folders.
    func install(_ extra: [String] = []) throws -> ProgramRun {
        try pmctl(["agent", "install", "--user", user, "--admin-identity", sshd.clientKey.privateKeyPath,
                   "--identity", controllerKey.privateKeyPath, "--binary", Repository.executable("pmagent").path,
                   "--install-path", installPath, "--sudoers-dir", sudoersDirectory,
                   "--serve-arg", "--tool-dir", "--serve-arg", root.file("tools"), "--serve-arg", "--no-system-tools",
                   "--serve-arg", "--sysroot", "--serve-arg", root.file("sysroot"),
                   "--serve-arg", "--libvirt-uri", "--serve-arg", "test://" + nodePath] + extra + [sshd.host])
    }

    /// Any pmctl command against this host, logging in as given.
    func pmctl(_ arguments: [String]) throws -> ProgramRun {
        try ProgramRun.run(Repository.executable("pmctl"),
                           ["--known-hosts", sshd.knownHostsPath, "--port", String(sshd.port), "--state", root.file("state")] + arguments,
                           environment: ["SSH_AUTH_SOCK": nil], timeout: 120)
    }

    /// Runs `script` with /bin/sh as the agent's user: what that user could do on its own.
    @discardableResult
    func asUser(_ script: String) throws -> ProgramRun {
        guard let account = getpwnam(user)?.pointee else { throw POSIXError(.ENOENT) }
        let run = try ProgramRun.run(URL(fileURLWithPath: "/usr/bin/setpriv"),
                                     ["--reuid=\(account.pw_uid)", "--regid=\(account.pw_gid)", "--init-groups", "--",
                                      "/bin/sh", "-c", "cd / && " + script])
        guard run.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["stderr": run.stderr]) }
        return run
    }

    /// A root-owned file with `mode` in the test's folder: what an attack through the agent's
    /// home would aim at (a stand-in for /etc/shadow; the real one is never touched).
    func victim(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        try root.write(name, text, mode: mode)
        chown(root.file(name), 0, 0)
        return root.file(name)
    }

    /// The names in the agent's ~/.ssh (links included, not followed).
    func sshEntries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: home + "/.ssh").sorted()
    }

    /// The file's bytes, mode, owner and modification time, to tell whether it changed.
    func snapshot(_ path: String) -> FileSnapshot? {
        var info = stat()
        guard stat(path, &info) == 0, let data = FileManager.default.contents(atPath: path) else { return nil }
        return FileSnapshot(bytes: data, mode: info.st_mode & 0o7777, uid: info.st_uid, gid: info.st_gid,
                            modified: info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec, inode: info.st_ino)
    }

    struct FileSnapshot: Equatable {
        var bytes: Data
        var mode: mode_t
        var uid: uid_t
        var gid: gid_t
        var modified: Int
        var inode: ino_t
    }
}
