/// One line of the resource check (`pmagent check`, the CHECK verb): a tool of
/// SEMANTICS.md, where it is, and whether the agent may run it.
public struct ToolCheck: Equatable, Sendable {
    public var name: String
    /// Nil when the tool is not installed.
    public var path: String?
    /// `root` (the agent is root), `sudo` (`sudo -n -l` allows it), `user` (it needs no
    /// privilege and the agent is not root), `no`, or `missing`.
    public var allowed: String

    /// Checks every tool; never prompts and never hangs (sudo gets a few seconds).
    public static func run(configuration: AgentConfiguration, log: AgentLog) -> [ToolCheck] {
        let runner = ToolRunner(configuration: configuration, log: log)
        return Tool.checked.map { tool in
            ToolCheck(name: tool.rawValue, path: runner.locate(tool), allowed: runner.permission(tool).rawValue)
        }
    }
}
