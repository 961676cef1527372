#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs the host's own action after the agent's reply is out. The agent re-executes its
/// own binary (`pmagent run-host-action --after S -- COMMAND...`) in a new session with
/// stdio on /dev/null: no shell is needed for the delay, and the child holds none of the
/// SSH channel's pipes, so sshd delivers the final line and ends the session while the
/// child sleeps. The child then replaces itself with the command.
public enum DetachedHostAction {
    /// Seconds the child waits at least, so sshd can deliver the result before the link dies.
    static let minimumDelay = 1

    /// The subcommand name the executable wires to `runAfterDelay`.
    public static let subcommand = "run-host-action"

    /// Starts the child for `action`; returns its pid.
    static func launch(_ action: HostAction, log: AgentLog) throws(AgentError) -> Int32 {
        let ownPath = SystemFiles.readLink("/proc/self/exe") ?? "/proc/self/exe"
        let seconds = max(action.delay, minimumDelay)
        let argv = [ownPath, subcommand, "--after", String(seconds), "--"] + action.command
        do {
            let pid = try ChildProcess.spawnDetached(argv)
            log.info("host action detached (pid \(pid)): in \(seconds) s: \(action.command.joined(separator: " "))")
            return pid
        } catch {
            throw AgentError(.internalError, "could not start the host action: \(error)")
        }
    }

    /// The child's side: sleeps, logs to syslog (its stderr is /dev/null), then execs
    /// `command`. Returns only when the exec failed, with the reason.
    public static func runAfterDelay(seconds: Int, command: [String]) -> String {
        guard let path = command.first, path.hasPrefix("/") else { return "the command must start with an absolute path" }
        Clock.sleep(Double(seconds))
        AgentLog.syslogLine(LOG_NOTICE, "running host action: \(command.joined(separator: " "))")
        let argv = command.map { strdup($0) } + [nil]
        execv(path, argv)
        let reason = "exec \(path): \(SystemError.text(errno))"
        AgentLog.syslogLine(LOG_ERR, "host action failed: \(reason)")
        return reason
    }
}
