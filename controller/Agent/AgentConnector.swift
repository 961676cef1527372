/// Opens links to agents: SSH in production (the SSH module), a local process in tests
/// (`ProcessAgentConnector`). Called from worker threads, so it must be thread-safe.
public protocol AgentConnector: Sendable {
    /// Connects and authenticates, but does not read the greeting (`AgentClient` does).
    /// Blocks at most until `deadline`.
    func connect(to host: ResolvedHost, deadline: Deadline) throws(ConnectFailure) -> any AgentLink

    /// The same, ending soon with `.interrupted` once `interruption` is set (Ctrl-C).
    /// By default the interruption is not watched: a connector with nothing slow to stop
    /// (a local process) needs only the other one.
    func connect(to host: ResolvedHost, deadline: Deadline, interruption: Interruption?) throws(ConnectFailure) -> any AgentLink
}

extension AgentConnector {
    public func connect(to host: ResolvedHost, deadline: Deadline, interruption: Interruption?) throws(ConnectFailure) -> any AgentLink {
        try connect(to: host, deadline: deadline)
    }
}
