import Foundation

/// One finished run of a program the tests started: exit status and both outputs.
public struct ProgramRun: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// What the program wrote to its terminal, when `run` gave it one (`\n` arrives as `\r\n`).
    public var terminal = ""
    public var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    /// Runs `executable` with `arguments` and standard input from /dev/null, and waits.
    ///
    /// posix_spawn, not Foundation's Process: a program that leaves a daemon behind (tmux's
    /// server, a lab keeper) confuses Process's exit tracking, and a child spawned from a
    /// test thread would inherit that thread's blocked signals.
    /// - Parameters:
    ///   - environment: changes to this process's environment (nil removes a variable).
    ///   - interruptAfter: send SIGINT (to its PID) after that many seconds.
    ///   - timeout: kill it (SIGKILL, by PID) after that many seconds.
    ///   - terminal: standard descriptors (1, 2) to connect to one new pseudo-terminal
    ///     instead of a pipe; what arrives there is `terminal`.
    public static func run(_ executable: URL, _ arguments: [String], environment changes: [String: String?] = [:],
                           interruptAfter: Double? = nil, timeout: Double = 600, terminal: Set<Int32> = []) throws -> ProgramRun {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value }

        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw POSIXError(.EMFILE) }
        for fd in [outPipe[0], errPipe[0]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, outPipe[1])
        posix_spawn_file_actions_addclose(&actions, errPipe[1])
        let pty = terminal.isEmpty ? nil : try PseudoTerminal()
        if let pty {
            for descriptor in terminal.sorted() { posix_spawn_file_actions_adddup2(&actions, pty.slave, descriptor) }
            posix_spawn_file_actions_addclose(&actions, pty.slave)
        }
        // Descriptors that other tests' threads have open (without close-on-exec) would
        // otherwise leak into the program: beyond holding pipes open, they count against
        // its descriptor limit (a test running pmctl under `prlimit --nofile=20` saw its
        // inventory unreadable).
        // (glibc 2.34's posix_spawn_file_actions_addclosefrom_np; Swift's Glibc module does
        // not declare it, so it is looked up by name.)
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let closeFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = [executable.path] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        var cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, &attributes, &cArguments, &cEnvironment)
        close(outPipe[1])
        close(errPipe[1])
        pty?.closeSlave()
        guard spawned == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT)
        }

        var out: [UInt8] = [], err: [UInt8] = [], tty: [UInt8] = []
        var open = [outPipe[0]: true, errPipe[0]: true]
        if let pty { open[pty.master] = true }
        var status: Int32 = 0
        var exited = false
        var killed = false
        let started = Date()
        var exitedAt: Date?
        var interrupted = interruptAfter == nil
        while true {
            let readable = open.filter(\.value).map(\.key)
            // After the exit, a daemon the program left behind may hold its output open:
            // take what arrived within 2 s rather than wait for it forever.
            if readable.isEmpty || (exitedAt.map { Date().timeIntervalSince($0) > 2 } ?? false) { if exited { break } }
            var fds = readable.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if !fds.isEmpty, poll(&fds, nfds_t(fds.count), 10) > 0 {
                for entry in fds where entry.revents != 0 {
                    var buffer = [UInt8](repeating: 0, count: 65_536)
                    let count = read(entry.fd, &buffer, buffer.count)
                    if count > 0 {
                        if entry.fd == outPipe[0] {
                            out += buffer[..<count]
                        } else if entry.fd == errPipe[0] {
                            err += buffer[..<count]
                        } else {
                            tty += buffer[..<count]
                        }
                    } else {
                        open[entry.fd] = false
                    }
                }
            } else if fds.isEmpty {
                usleep(10_000)
            }
            if !exited, waitpid(pid, &status, WNOHANG) == pid {
                exited = true
                exitedAt = Date()
            }
            let elapsed = Date().timeIntervalSince(started)
            if !interrupted, let after = interruptAfter, elapsed >= after {
                kill(pid, SIGINT)
                interrupted = true
            }
            if !exited, elapsed > timeout, !killed {
                kill(pid, SIGKILL)
                killed = true
            }
        }
        close(outPipe[0])
        close(errPipe[0])
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
        let code: Int32 = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        var stderrText = String(decoding: err, as: UTF8.self)
        if killed { stderrText += "\n[test support: killed after \(Int(timeout)) s]" }
        return ProgramRun(status: code, stdout: String(decoding: out, as: UTF8.self), stderr: stderrText,
                          terminal: String(decoding: tty, as: UTF8.self))
    }
}
