import Foundation
import SSH

/// The install login's side of one host: constant scripts run over exec channels (values
/// only as quoted arguments, never in the script text; nothing secret in any of them),
/// as root or, for anything in the agent's home, as the agent's user; and files sent over
/// SFTP into root-only folders. Confined to the worker's thread, like its session.
final class RemoteShell {
    struct Result {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// A file's permission bits and numeric owner, as `stat -c '%a %u %g'` prints them.
    struct FileState: Equatable {
        var mode: String
        var owner: String
        var group: String
    }

    let session: SSHSession
    let host: String
    let deadline: SSH.Deadline

    init(session: SSHSession, host: String, deadline: SSH.Deadline) {
        self.session = session
        self.host = host
        self.deadline = deadline
    }

    /// The login's PATH may lack the sbin folders (useradd, visudo, setcap live there).
    static let fixedPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export PATH; "

    /// Runs `script` with `arguments` as `$1`... and `input` on its stdin, and returns its
    /// exit status and output.
    func run(_ script: String, _ arguments: [String] = [], input: [UInt8] = []) throws(InstallError) -> Result {
        let exit: SSHChannel.Exit
        let output: (stdout: [UInt8], stderr: [UInt8])
        do throws(SSHError) {
            let command = ShellQuoting.command(script: Self.fixedPath + script, arguments: arguments)
            let channel = try session.exec(command, deadline: deadline)
            if !input.isEmpty { try channel.write(input, deadline: deadline) }
            try channel.sendEOF(deadline: deadline)
            output = try channel.readToEnd(deadline: deadline)
            exit = try channel.close(deadline: deadline)
        } catch {
            throw Self.failure(error, host: host)
        }
        if let signal = exit.signal { throw InstallError.failed("\(host): '\(script)' was killed by SIG\(signal)") }
        return Result(status: exit.status, stdout: output.stdout, stderr: String(decoding: output.stderr, as: UTF8.self))
    }

    /// `run`, and a non-zero status is a failure that names what was being done.
    @discardableResult
    func mustRun(_ what: String, _ script: String, _ arguments: [String] = [], input: [UInt8] = []) throws(InstallError) -> Result {
        let result = try run(script, arguments, input: input)
        guard result.status == 0 else { throw failure(what, result) }
        return result
    }

    /// A failed script's status and stderr, with what was being done.
    func failure(_ what: String, _ result: Result) -> InstallError {
        let detail = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return InstallError.failed("\(host): \(what) failed (exit \(result.status))\(detail.isEmpty ? "" : ": \(detail)")")
    }

    /// Runs `script` as the account (its uid, primary gid and groups; setpriv, else
    /// runuser, both util-linux), not as root: whatever the account planted in its home (a
    /// symbolic link to /etc/shadow, to /etc) then reaches only what it could reach anyway.
    func runAs(_ account: AgentAccount, _ script: String, _ arguments: [String] = [], input: [UInt8] = []) throws(InstallError) -> Result {
        let switchUser = #"""
            uid=$1 gid=$2 name=$3 script=$4; shift 4
            if command -v setpriv >/dev/null 2>&1; then
                exec setpriv --reuid="$uid" --regid="$gid" --init-groups -- /bin/sh -c "$script" pmctl "$@"
            fi
            if ! command -v runuser >/dev/null 2>&1; then
                echo "neither setpriv nor runuser is installed (Debian package: util-linux)" >&2; exit 127
            fi
            exec runuser -u "$name" -- /bin/sh -c "$script" pmctl "$@"
            """#
        return try run(switchUser, [account.uid, account.gid, account.name, Self.fixedPath + "cd / || exit 1; " + script] + arguments,
                       input: input)
    }

    /// The file's mode and owner, or nil when there is no such file.
    func state(of path: String) throws(InstallError) -> FileState? {
        let text = try mustRun("looking at \(path)", #"[ -e "$1" ] || exit 0; stat -c '%a %u %g' -- "$1""#, [path]).text
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.count == 3 else { return nil }
        return FileState(mode: words[0], owner: words[1], group: words[2])
    }

    /// The file's bytes (the caller knows it exists).
    func read(_ path: String) throws(InstallError) -> [UInt8] {
        try mustRun("reading \(path)", #"cat -- "$1""#, [path]).stdout
    }

    /// The file's SHA-256 in hex, or nil when there is no such file.
    func sha256(of path: String) throws(InstallError) -> String? {
        let text = try mustRun("hashing \(path)", #"[ -e "$1" ] || exit 0; sha256sum -- "$1""#, [path]).text
        return text.split(separator: " ").first.map(String.init)
    }

    /// Sends `bytes` to `path` over SFTP with exactly `mode` (owned by the install login).
    func upload(_ bytes: [UInt8], to path: String, mode: UInt32) throws(InstallError) {
        do { try session.upload(bytes, to: path, mode: mode, deadline: deadline) } catch {
            throw Self.failure(error, host: host)
        }
    }

    /// A failure after login: out of time, interrupted, or the session broke.
    static func failure(_ error: SSHError, host: String) -> InstallError {
        switch error {
        case .timeout: InstallError(.host(.timeout), "\(host): \(error)")
        case .cancelled: InstallError(.host(.unfinished), "\(host): interrupted")
        default: InstallError.failed("\(host): \(error)")
        }
    }
}
