#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs the agent's external programs: by absolute path from a fixed search list (never
/// the caller's `$PATH`, never a shell), with an argument array, a timeout, captured
/// output, and `sudo -n` in front when the agent is not root and the tool needs root.
/// Every value in `arguments` has been parsed against a strict pattern before it gets here.
struct ToolRunner: Sendable {
    var configuration: AgentConfiguration
    var log: AgentLog
    /// Whether the agent runs as root (effective uid 0); else root tools go through sudo.
    var isRoot: Bool = geteuid() == 0

    /// What a finished run returned.
    struct Result: Sendable {
        var exitCode: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
        var output: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Whether the agent may run a tool.
    enum Permission: String, Sendable {
        /// The agent is root.
        case root
        /// `sudo -n -l` said yes.
        case sudo
        /// Needs no privilege, and the agent is not root.
        case user
        /// Found, but sudo refused or would prompt.
        case no
        case missing
    }

    /// The absolute path of `tool`, from the tool directories then the system directories.
    func locate(_ tool: Tool) -> String? {
        for directory in configuration.searchDirectories {
            let path = (directory.hasSuffix("/") ? directory : directory + "/") + tool.rawValue
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(path, X_OK) == 0 { return path }
        }
        return nil
    }

    /// The first of `tools` that is installed, with its path; `tool-missing` naming the first otherwise.
    func locateFirst(_ tools: [Tool]) throws(AgentError) -> (Tool, String) {
        for tool in tools {
            if let path = locate(tool) { return (tool, path) }
        }
        throw AgentError.toolMissing(tools[0].rawValue, tools.count == 1 ? nil
            : "none of \(tools.map(\.rawValue).joined(separator: ", ")) is installed")
    }

    /// The argv that runs `tool` with `arguments`, with `sudo -n` in front when needed.
    func commandLine(_ tool: Tool, _ arguments: [String], privileged: Bool? = nil) throws(AgentError) -> [String] {
        guard let path = locate(tool) else { throw .toolMissing(tool.rawValue) }
        guard privileged ?? tool.needsRoot, !isRoot else { return [path] + arguments }
        guard let sudo = locate(.sudo) else {
            throw .notPermitted(tool.rawValue, "\(tool.rawValue) needs root, the agent is not root and sudo is not installed")
        }
        return [sudo, "-n", path] + arguments
    }

    /// Runs `tool` and returns its result whatever its exit code; throws when it could not
    /// run at all, timed out, was killed, or sudo refused it.
    func run(_ tool: Tool, _ arguments: [String], privileged: Bool? = nil, input: [UInt8] = [],
             timeout: Double = 30) throws(AgentError) -> Result {
        let argv = try commandLine(tool, arguments, privileged: privileged)
        let output: ChildProcess.Output
        do {
            output = try ChildProcess.run(argv, input: input, timeout: timeout)
        } catch {
            log.error("\(argv.joined(separator: " ")): \(error)")
            throw AgentError(.toolFailed, error.description, ["tool": tool.rawValue, "exit": "spawn"])
        }
        switch output.termination {
        case .exited(let code):
            log.info("ran \(argv.joined(separator: " ")): exit \(code)")
            if argv.first != locate(tool), code == 1, Self.isSudoRefusal(output.stderr) {
                throw .notPermitted(tool.rawValue, "sudo -n refused \(tool.rawValue): \(Self.firstLine(output.stderr)) (see pmctl agent sudoers)")
            }
            return Result(exitCode: code, stdout: output.stdout, stderr: output.stderr)
        case .signalled(let signal):
            log.error("ran \(argv.joined(separator: " ")): killed by signal \(signal)")
            throw .toolFailed(tool.rawValue, exit: "signal-\(signal)", stderr: output.stderr, "\(tool.rawValue) was killed by signal \(signal)")
        case .timedOut:
            log.error("ran \(argv.joined(separator: " ")): no result after \(timeout) s, stopped (SIGTERM, then SIGKILL)")
            throw AgentError(.timeout, "\(tool.rawValue) gave no result within \(Int(timeout)) s and was stopped", ["tool": tool.rawValue])
        }
    }

    /// Runs `tool` and throws `tool-failed` (with its exit code and stderr tail) unless it exits 0.
    @discardableResult
    func runChecked(_ tool: Tool, _ arguments: [String], privileged: Bool? = nil, input: [UInt8] = [],
                    timeout: Double = 30) throws(AgentError) -> Result {
        let result = try run(tool, arguments, privileged: privileged, input: input, timeout: timeout)
        guard result.exitCode == 0 else {
            throw .toolFailed(tool.rawValue, exit: String(result.exitCode), stderr: result.stderr,
                              "\(([tool.rawValue] + arguments).joined(separator: " ")) failed with exit code \(result.exitCode): \(Self.firstLine(result.stderr))")
        }
        return result
    }

    /// Whether the agent may run `tool` (with `arguments`, when sudoers is that specific).
    /// A non-root agent asks `sudo -n -l`, which answers at once and never prompts; a
    /// hanging sudo (a slow directory service) counts as no after a few seconds.
    func permission(_ tool: Tool, _ arguments: [String] = [], privileged: Bool? = nil) -> Permission {
        guard let path = locate(tool) else { return .missing }
        if isRoot { return .root }
        guard privileged ?? tool.needsRoot else { return .user }
        guard let sudo = locate(.sudo) else { return .no }
        guard let output = try? ChildProcess.run([sudo, "-n", "-l", path] + arguments, timeout: 5),
              output.termination == .exited(0)
        else { return .no }
        return .sudo
    }

    /// Throws `not-permitted` (or `tool-missing`) unless the agent may run `tool`; used
    /// before a step that cannot report failure later, such as the detached host action.
    func requirePermission(_ tool: Tool, _ arguments: [String], privileged: Bool? = nil) throws(AgentError) {
        switch permission(tool, arguments, privileged: privileged) {
        case .root, .sudo, .user: return
        case .missing: throw .toolMissing(tool.rawValue)
        case .no:
            throw .notPermitted(tool.rawValue, "the agent is not root and sudo -n does not allow \(tool.rawValue) (it would need a password, or sudoers lacks it: see pmctl agent sudoers)")
        }
    }

    /// sudo's own refusals: "sudo: a password is required", "sudo: a terminal is required",
    /// "Sorry, user x is not allowed to execute ...".
    static func isSudoRefusal(_ stderr: [UInt8]) -> Bool {
        let text = String(decoding: stderr.prefix(512), as: UTF8.self)
        return text.hasPrefix("sudo:") || text.contains("is not allowed to execute") || text.contains("may not run sudo")
    }

    static func firstLine(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(400), as: UTF8.self)
        return text.split(separator: "\n").first.map { String($0).replacingControlCharacters } ?? ""
    }
}
