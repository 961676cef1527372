import Foundation

/// A local GUI program pmctl stays with (the VNC viewer): started with posix_spawn (never
/// Foundation's `Process`, which misbehaves with programs that fork), by absolute path and
/// argument array, in pmctl's own process group and terminal (so Ctrl-C reaches both, and
/// a viewer may ask for a password on the terminal), with pmctl's environment (DISPLAY,
/// XAUTHORITY) and default signal handling.
///
/// pmctl makes itself a child subreaper first, so whatever the program starts stays
/// pmctl's descendant even when it forks into the background and its parent exits:
/// `isRunning` holds until the program and everything it started have ended.
final class ViewerProcess: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?
    private var everythingEnded = false

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `path` with `arguments`.
    static func start(_ path: String, _ arguments: [String]) throws(ConsoleError) -> ViewerProcess {
        becomeSubreaper()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard result == 0 else { throw ConsoleError("cannot start \(path): \(String(cString: strerror(result)))") }
        return ViewerProcess(pid: pid)
    }

    /// Reaps what has ended without waiting; true while the program or anything it
    /// started still runs.
    var isRunning: Bool {
        lock.withLock {
            while !everythingEnded {
                var raw: Int32 = 0
                let reaped = waitpid(-1, &raw, WNOHANG)
                if reaped == pid { status = Self.exitStatus(raw) }
                if reaped == 0 { return true }
                if reaped < 0 && errno != EINTR { everythingEnded = true }
            }
            return false
        }
    }

    /// The program's own exit status once it was reaped (128 + signal after a signal).
    var exitStatus: Int32? { lock.withLock { status } }

    /// Asks the program itself to end (SIGTERM) and waits for it; what it started is left.
    func terminateAndWait() -> Int32 {
        kill(pid, SIGTERM)
        return lock.withLock {
            if let status { return status }
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            status = Self.exitStatus(raw)
            return status ?? 1
        }
    }

    private static func exitStatus(_ raw: Int32) -> Int32 {
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = raw & 0x7F
        return signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
    }

    /// prctl(PR_SET_CHILD_SUBREAPER, 1). prctl is variadic, which Swift cannot call
    /// directly; its fixed-argument form is looked up instead. Without it (not Linux) a
    /// background child is simply not waited for.
    private static func becomeSubreaper() {
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else { return }
        let prctl = unsafeBitCast(symbol, to: Prctl.self)
        _ = prctl(36 /* PR_SET_CHILD_SUBREAPER */, 1, 0, 0, 0)
    }
}
