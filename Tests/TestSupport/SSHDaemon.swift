import Foundation

/// A private OpenSSH server on 127.0.0.1 for one test: its own config, host key, client
/// key, authorized_keys and known_hosts in a fresh temp dir, on a free port.
///
/// It runs `/usr/sbin/sshd -D -e -f <config>` as the current user (root in the tests and
/// CI) and is stopped by its PID (SIGTERM, then reaped) on `stop()` or deinit.
///
/// ```swift
/// let sshd = try SSHDaemon()                                 // login as root, any command
/// let agent = try SSHDaemon(forcedCommand: "/usr/local/bin/pmagent serve")
/// ```
public final class SSHDaemon: @unchecked Sendable {
    /// Where everything of this instance lives; removed on stop.
    public let directory: URL
    public let host = "127.0.0.1"
    public private(set) var port: Int = 0
    /// The login name (the user running the tests).
    public let user: String
    /// The server's ed25519 host key.
    public let hostKey: SSHKeyPair
    /// A client key listed in authorized_keys (with the forced command, if any).
    public let clientKey: SSHKeyPair
    /// A known_hosts file holding `[127.0.0.1]:PORT ssh-ed25519 AAAA...`.
    public var knownHostsPath: String { directory.appendingPathComponent("known_hosts").path }
    public var authorizedKeysPath: String { directory.appendingPathComponent("authorized_keys").path }
    /// sshd's stderr (`-e`): read it when a test fails.
    public var logPath: String { directory.appendingPathComponent("sshd.log").path }
    /// The PID of the sshd listener, 0 once stopped.
    public var pid: Int32 { lock.withLock { process?.pid ?? 0 } }
    /// Whether this instance's sshd still runs: a test that fails to connect can say why.
    public var isRunning: Bool { lock.withLock { process }?.isRunning ?? false }

    private let lock = NSLock()
    private var process: ChildProcess?
    private let bannerToken = "pmcontrol-test-\(UInt64.random(in: 0...UInt64.max))"
    private var extraKeyCount = 0
    private let usersOwnAuthorizedKeys: Bool

    /// Starts the server and waits until its port accepts connections.
    ///
    /// - Parameters:
    ///   - forcedCommand: put on `clientKey`'s authorized_keys line as `command="...",restrict`.
    ///   - extraConfig: more sshd_config lines (e.g. `"KexAlgorithms sntrup761x25519-sha512@openssh.com"`).
    ///   - usersOwnAuthorizedKeys: also read each user's `~/.ssh/authorized_keys` (after this
    ///     instance's file), as a stock sshd does: for tests that install keys into a home.
    public init(forcedCommand: String? = nil, extraConfig: [String] = [], usersOwnAuthorizedKeys: Bool = false) throws {
        self.usersOwnAuthorizedKeys = usersOwnAuthorizedKeys
        directory = try FixtureProgram.makeTemporaryDirectory(prefix: "pmcontrol-sshd")
        user = String(cString: getpwuid(geteuid()).pointee.pw_name)
        hostKey = try SSHKeyPair.generate(at: directory.appendingPathComponent("host_ed25519").path, comment: "host")
        clientKey = try SSHKeyPair.generate(at: directory.appendingPathComponent("client_ed25519").path, comment: "client")
        try Data().write(to: URL(fileURLWithPath: authorizedKeysPath))
        try authorize(clientKey, forcedCommand: forcedCommand)
        // sshd as root insists on its privilege-separation directory.
        if geteuid() == 0 { try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }

        // The free port is found by binding port 0 and letting it go, so another program
        // may grab it before sshd does: then sshd exits, and we try another port.
        var lastLog = ""
        for _ in 0..<5 {
            port = try LoopbackPort.free()
            try writeConfig(extraConfig)
            try writeKnownHosts()
            if try start() { return }
            lastLog = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        }
        stop()
        throw StartFailure(log: lastLog)
    }

    deinit { stop() }

    struct StartFailure: Error, CustomStringConvertible {
        var log: String
        var description: String { "sshd did not start: \(log)" }
    }

    private func writeConfig(_ extra: [String]) throws {
        var lines = [
            "ListenAddress \(host):\(port)",
            "HostKey \(hostKey.privateKeyPath)",
            "PidFile none",
            "UsePAM no",
            // Keys under /tmp fail sshd's ownership checks of parent directories.
            "StrictModes no",
            // Above any fan-out a test runs; the default 10:30:100 drops sessions.
            "MaxStartups 500:30:1000",
            "AuthorizedKeysFile \(authorizedKeysPath)" + (usersOwnAuthorizedKeys ? " .ssh/authorized_keys" : ""),
            "LogLevel ERROR",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            "AllowTcpForwarding yes",
            "Subsystem sftp internal-sftp",
            // Lets `start` tell our sshd from another one that won a race for the port.
            "VersionAddendum \(bannerToken)",
        ]
        // OpenSSH 9.8+ penalises sources that fail auth; tests fail auth on purpose.
        if Self.penalisesFailedAuth { lines.append("PerSourcePenalties no") }
        lines += extra
        try (lines.joined(separator: "\n") + "\n").write(
            to: directory.appendingPathComponent("sshd_config"), atomically: true, encoding: .utf8)
    }

    private func writeKnownHosts() throws {
        try "[\(host)]:\(port) \(hostKey.publicKey)\n".write(toFile: knownHostsPath, atomically: true, encoding: .utf8)
    }

    /// Starts sshd; true once the port accepts, false if sshd exited (port taken).
    private func start() throws -> Bool {
        try? FileManager.default.removeItem(atPath: logPath)
        let process = try ChildProcess(
            "/usr/sbin/sshd", ["-D", "-e", "-f", directory.appendingPathComponent("sshd_config").path], logPath: logPath)
        lock.withLock { self.process = process }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if !process.isRunning {
                lock.withLock { self.process = nil }
                return false
            }
            if let banner = LoopbackPort.banner(port) {
                // Another sshd may hold the port (ours then exits, unable to bind).
                if banner.contains(bannerToken) { return true }
                process.stop()
                lock.withLock { self.process = nil }
                return false
            }
            usleep(20_000)
        }
        stop()
        throw StartFailure(log: "port \(port) did not accept within 10 s")
    }

    /// Stops sshd by its PID (SIGTERM, SIGKILL after 3 s) and reaps it. Sessions already
    /// running end when their client goes away. Idempotent.
    public func stop() {
        let running: ChildProcess? = lock.withLock {
            defer { process = nil }
            return process
        }
        running?.stop()
    }

    /// Removes the temp dir too; call when the test is done with the files.
    public func stopAndRemoveFiles() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: keys and known_hosts for the failure cases

    /// Adds `key` to authorized_keys, with `command="...",restrict` when a command is given.
    public func authorize(_ key: SSHKeyPair, forcedCommand: String? = nil) throws {
        var line = key.publicKeyLine
        if let forcedCommand {
            let quoted = forcedCommand.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            line = "command=\"\(quoted)\",restrict " + line
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: authorizedKeysPath))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
    }

    /// A new key pair that authorized_keys does not hold: login with it is refused.
    public func makeUnauthorizedKey() throws -> SSHKeyPair {
        try makeKey(named: "stranger")
    }

    /// A new key pair in this instance's directory (not authorized until `authorize`).
    public func makeKey(named name: String) throws -> SSHKeyPair {
        let index = lock.withLock {
            extraKeyCount += 1
            return extraKeyCount
        }
        return try SSHKeyPair.generate(at: directory.appendingPathComponent("\(name)-\(index)_ed25519").path, comment: name)
    }

    /// A known_hosts whose entry for this server holds another ed25519 key, after
    /// `leadingLines` unrelated entries (so its line number is `leadingLines + 1`).
    public func makeChangedKnownHosts(leadingLines: Int = 0) throws -> String {
        let other = try makeKey(named: "impostor-host")
        var text = ""
        for index in 0..<leadingLines { text += "other\(index).example \(other.publicKey)\n" }
        text += "[\(host)]:\(port) \(other.publicKey)\n"
        let path = directory.appendingPathComponent("known_hosts.changed").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An empty known_hosts: this server is unknown to it.
    public func makeEmptyKnownHosts() throws -> String {
        let path = directory.appendingPathComponent("known_hosts.empty").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        return path
    }

    /// known_hosts with this server's entry hashed (`ssh-keygen -H`), as many distributions write it.
    public func makeHashedKnownHosts() throws -> String {
        let path = directory.appendingPathComponent("known_hosts.hashed").path
        try FileManager.default.copyItem(atPath: knownHostsPath, toPath: path)
        try FixtureProgram.run("/usr/bin/ssh-keygen", ["-H", "-f", path])
        try? FileManager.default.removeItem(atPath: path + ".old")
        return path
    }

    /// Writes an executable `/bin/sh` script into this instance's directory, for use as a
    /// forced command, and returns its path.
    public func makeScript(named name: String, body: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        guard chmod(path, 0o755) == 0 else { throw CocoaError(.fileWriteNoPermission) }
        return path
    }

    /// A forced command that prints `line`, then hangs until its stdin closes (the client
    /// goes away), like an agent stuck mid-request. It leaves no process behind.
    public func makeHangingCommand(printing line: String) throws -> String {
        try makeScript(named: "hang.sh", body: "echo '\(line)'\nexec /bin/cat >/dev/null")
    }

    private static let penalisesFailedAuth = opensshAtLeast(9, 8)

    private static func opensshAtLeast(_ major: Int, _ minor: Int) -> Bool {
        // `ssh -V` prints e.g. "OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL ..." on stderr.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ssh")
        process.arguments = ["-V"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return false }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let range = text.range(of: "OpenSSH_") else { return false }
        let numbers = text[range.upperBound...].prefix { $0.isNumber || $0 == "." }.split(separator: ".").compactMap { Int($0) }
        guard numbers.count >= 2 else { return false }
        return (numbers[0], numbers[1]) >= (major, minor)
    }
}
