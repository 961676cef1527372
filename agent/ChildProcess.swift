#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Starts programs with `posix_spawn`: an absolute path and an argument array, never a
/// shell. The child gets a minimal environment (so neither the caller's `$PATH` nor its
/// locale reaches a tool), default signal handling (the agent ignores SIGPIPE, and ignored
/// signals would otherwise survive the exec) and its own process group, so a timeout can
/// end it together with anything it started (see `terminate`).
struct ChildProcess {
    /// How a run ended.
    enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
        /// Killed by us after the deadline passed.
        case timedOut
    }

    struct Output: Sendable {
        var termination: Termination
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    /// Why a program could not be started at all.
    struct SpawnError: Error, Sendable, CustomStringConvertible {
        var path: String
        var errno: Int32
        var description: String { "cannot start \(path): \(SystemError.text(errno))" }
    }

    /// The environment every tool gets: a fixed PATH for the scripts some tools are, and
    /// the C locale, whose output format the parsers here expect.
    static let environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C", "LC_ALL=C"]

    /// Output beyond this many bytes per stream is read and dropped, so a chatty or hostile
    /// tool cannot grow the agent's memory without bound.
    static let captureLimit = 1 << 20

    /// Seconds a timed-out tool gets between SIGTERM and SIGKILL.
    static let terminationGrace = 3.0

    /// Runs `arguments[0]` (an absolute path) to completion or until `timeout` seconds
    /// passed, feeding it `input` on stdin and capturing stdout and stderr. Both streams
    /// are read as data arrives (with poll), so a child that fills one pipe while we wait
    /// on the other cannot deadlock. A child still running at the deadline is ended by
    /// `terminate`, with `grace` seconds between SIGTERM and SIGKILL.
    static func run(_ arguments: [String], input: [UInt8] = [], timeout: Double,
                    grace: Double = terminationGrace) throws(SpawnError) -> Output {
        precondition(!arguments.isEmpty && arguments[0].hasPrefix("/"), "tools run by absolute path")
        let stdinPipe = try makePipe(for: arguments[0])
        let stdoutPipe: (read: Int32, write: Int32)
        let stderrPipe: (read: Int32, write: Int32)
        do {
            stdoutPipe = try makePipe(for: arguments[0])
        } catch {
            closeAll([stdinPipe.read, stdinPipe.write])
            throw error
        }
        do {
            stderrPipe = try makePipe(for: arguments[0])
        } catch {
            closeAll([stdinPipe.read, stdinPipe.write, stdoutPipe.read, stdoutPipe.write])
            throw error
        }

        let pid: pid_t
        do {
            pid = try spawn(arguments, stdin: stdinPipe.read, stdout: stdoutPipe.write, stderr: stderrPipe.write,
                            newSession: false)
        } catch {
            closeAll([stdinPipe.read, stdinPipe.write, stdoutPipe.read, stdoutPipe.write, stderrPipe.read, stderrPipe.write])
            throw error
        }
        closeAll([stdinPipe.read, stdoutPipe.write, stderrPipe.write])

        let deadline = Clock.now() + timeout
        var pending = input[...]
        var writeFD: Int32 = stdinPipe.write
        if pending.isEmpty { closeAll([writeFD]); writeFD = -1 }
        var readFDs: [Int32] = [stdoutPipe.read, stderrPipe.read]
        var captured: [Int32: [UInt8]] = [stdoutPipe.read: [], stderrPipe.read: []]
        var timedOut = false
        // The tool's own exit, seen while its pipes may still be open: a background child it
        // left behind can hold them for ever, so after the exit only a short drain follows.
        var exited: Termination?
        var exitedAt = 0.0
        // Writing to a child that exits early must give EPIPE, not kill the agent.
        if writeFD >= 0 { _ = fcntl(writeFD, F_SETFL, fcntl(writeFD, F_GETFL) | O_NONBLOCK) }

        while !readFDs.isEmpty || writeFD >= 0 {
            if exited == nil, let status = waitNoHang(pid) {
                exited = status
                exitedAt = Clock.now()
            }
            if exited != nil, Clock.now() - exitedAt > 1 { break }
            let remaining = deadline - Clock.now()
            if remaining <= 0 { timedOut = exited == nil; break }
            var polls = readFDs.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if writeFD >= 0 { polls.append(pollfd(fd: writeFD, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&polls, nfds_t(polls.count), Int32(min(remaining * 1000, 1000).rounded(.up)))
            if ready < 0 {
                if errno == EINTR { continue }
                timedOut = true
                break
            }
            for entry in polls where entry.revents != 0 {
                if entry.fd == writeFD {
                    let written = pending.withUnsafeBytes { write(writeFD, $0.baseAddress, min($0.count, 65_536)) }
                    if written > 0 { pending = pending.dropFirst(written) }
                    if written < 0 && errno != EAGAIN && errno != EINTR || pending.isEmpty {
                        closeAll([writeFD])
                        writeFD = -1
                    }
                    continue
                }
                var chunk = [UInt8](repeating: 0, count: 65_536)
                let count = chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if captured[entry.fd, default: []].count < captureLimit {
                        captured[entry.fd, default: []].append(contentsOf: chunk[0..<count])
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    closeAll([entry.fd])
                    readFDs.removeAll { $0 == entry.fd }
                }
            }
        }

        var termination: Termination
        if let exited {
            termination = exited
        } else if timedOut {
            termination = .timedOut
            terminate(pid, grace: grace)
        } else {
            // Both pipes are closed, but the child may still be running (it closed them
            // early); wait for it until the deadline too.
            termination = .timedOut
            while true {
                if let status = waitNoHang(pid) { termination = status; break }
                if Clock.now() >= deadline {
                    terminate(pid, grace: grace)
                    break
                }
                Clock.sleep(0.01)
            }
        }
        closeAll(readFDs + (writeFD >= 0 ? [writeFD] : []))
        return Output(termination: termination, stdout: captured[stdoutPipe.read] ?? [],
                      stderr: captured[stderrPipe.read] ?? [])
    }

    /// Ends the process group of a timed-out child: SIGTERM first, then SIGKILL for what is
    /// left after `grace` seconds. TERM first because a non-root agent runs root tools as
    /// `sudo -n TOOL`: it may not signal the root tool itself, and SIGKILL would only kill
    /// sudo and leave the tool running, orphaned; sudo relays a TERM to the tool, which can
    /// then also clean up. If even SIGKILL cannot end the child (not permitted), it is left
    /// unreaped after a short wait rather than hanging the agent.
    @discardableResult
    static func terminate(_ pid: pid_t, grace: Double) -> Bool {
        func reaped(within seconds: Double) -> Bool {
            let deadline = Clock.now() + seconds
            repeat {
                if waitNoHang(pid) != nil { return true }
                Clock.sleep(0.02)
            } while Clock.now() < deadline
            return false
        }
        kill(-pid, SIGTERM)
        if reaped(within: grace) { return true }
        kill(-pid, SIGKILL)
        return reaped(within: 2)
    }

    /// Starts `arguments` in a new session with stdin, stdout and stderr on /dev/null and
    /// does not wait for it: the host action must outlive the agent and the SSH channel,
    /// and must hold none of the channel's pipes open (sshd waits for them to close).
    static func spawnDetached(_ arguments: [String]) throws(SpawnError) -> pid_t {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { throw SpawnError(path: "/dev/null", errno: errno) }
        defer { close(null) }
        return try spawn(arguments, stdin: null, stdout: null, stderr: null, newSession: true)
    }

    private static func spawn(_ arguments: [String], stdin: Int32, stdout: Int32, stderr: Int32,
                              newSession: Bool) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

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
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if newSession {
            // glibc's POSIX_SPAWN_SETSID (0x80): the child calls setsid(), leaving our
            // session and process group, so the end of the SSH session does not reach it.
            flags |= 0x80
        } else {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        // ETXTBSY: the file is still open for writing somewhere, typically a copy of the
        // writer's descriptor in a process forked just as it was written (a package upgrade
        // replacing the tool, a script written a moment ago). That copy closes within
        // milliseconds, so a few short retries start the tool instead of failing the step.
        var retries = 0
        while result == ETXTBSY && retries < 20 {
            retries += 1
            usleep(25_000)
            result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        }
        guard result == 0 else { throw SpawnError(path: arguments[0], errno: result) }
        return pid
    }

    private static func makePipe(for path: String) throws(SpawnError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        // pipe2 is not imported without _GNU_SOURCE; the agent starts children from one
        // thread only, so setting FD_CLOEXEC right after cannot race with another spawn.
        guard pipe(&fds) == 0 else { throw SpawnError(path: path, errno: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    private static func closeAll(_ fds: [Int32]) {
        for fd in fds where fd >= 0 { close(fd) }
    }

    private static func decode(_ status: Int32) -> Termination {
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }

    private static func waitNoHang(_ pid: pid_t) -> Termination? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { return decode(status) }
        if result < 0 && errno != EINTR { return .signalled(0) }
        return nil
    }
}
