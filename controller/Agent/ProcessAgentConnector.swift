import Foundation

/// Connects to an agent by starting it as a local process and talking over its stdin and
/// stdout: `pmagent serve` itself in tests and on the controller's own host, with no SSH
/// in between. The arguments may depend on the host (a per-host `--sysroot`, say).
public struct ProcessAgentConnector: AgentConnector {
    public var executable: String
    public var arguments: @Sendable (ResolvedHost) -> [String]
    /// Where the agent's stderr (its log) goes; `/dev/null` by default.
    public var stderrPath: String

    public init(executable: String, stderrPath: String = "/dev/null",
                arguments: @escaping @Sendable (ResolvedHost) -> [String] = { _ in ["serve"] }) {
        self.executable = executable
        self.arguments = arguments
        self.stderrPath = stderrPath
        // A write to an agent that died must be an error, not the end of pmctl.
        signal(SIGPIPE, SIG_IGN)
    }

    private static let spawnLock = NSLock()

    public func connect(to host: ResolvedHost, deadline: Deadline) throws(ConnectFailure) -> any AgentLink {
        guard executable.hasPrefix("/") else {
            throw ConnectFailure(.unreachable, "the agent program '\(executable)' must be an absolute path")
        }
        // Pipes are made close-on-exec under one lock with the spawn, so a child started
        // by another worker at the same moment never inherits this child's pipe ends
        // (which would keep them open and hide this child's EOF).
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        var toChild: [Int32] = [0, 0]
        var fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0 else { throw ConnectFailure(.unreachable, "pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw ConnectFailure(.unreachable, "pipe: \(String(cString: strerror(errno)))")
        }
        for descriptor in toChild + fromChild { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let argv = [executable] + arguments(host)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, &cArguments, environ)
        close(toChild[0])
        close(fromChild[1])
        guard status == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw ConnectFailure(.unreachable, "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return ProcessAgentLink(pid: pid, input: toChild[1], output: fromChild[0])
    }
}
