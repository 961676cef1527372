import Foundation

/// A long-running helper (sshd, ssh-agent) started with posix_spawn and tracked by PID.
///
/// Not Foundation's `Process`: it learns of a child's exit from a socket the child
/// inherits, and daemons such as sshd and ssh-agent close every inherited descriptor at
/// startup. Foundation then believes the daemon exited and blocks in `wait4` on it, which
/// stalls every later `Process.waitUntilExit` in the test process.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `path` with `arguments`; stdin from /dev/null, stdout and stderr appended to
    /// `logPath` (or /dev/null).
    public init(_ path: String, _ arguments: [String], logPath: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let output = logPath ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The test runner's threads may block or ignore signals; the child starts clean.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, path, &actions, &attributes, argv, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO) }
        pid = child
    }

    deinit { stop() }

    /// Whether the process still runs (reaps it if it ended).
    public var isRunning: Bool {
        lock.withLock {
            guard exitStatus == nil else { return false }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                exitStatus = status
                return false
            }
            if result < 0 && errno == ECHILD {
                // Reaped by someone else: gone, and its PID may be reused, so never signal it again.
                exitStatus = -1
                return false
            }
            return true
        }
    }

    /// Stops the process by its PID: SIGTERM, SIGKILL after `grace` seconds; then reaps it.
    public func stop(grace: Double = 3) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(10_000) }
        if isRunning {
            kill(pid, SIGKILL)
            lock.withLock {
                var status: Int32 = 0
                if waitpid(pid, &status, 0) == pid { exitStatus = status }
            }
        }
    }
}
