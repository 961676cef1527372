/// Opens links to agents: SSH in production (the SSH module), a local process in tests
/// (`ProcessAgentConnector`). Called from worker threads, so it must be thread-safe.
public protocol AgentConnector: Sendable {
    /// Connects and authenticates, but does not read the greeting (`AgentClient` does).
    /// Blocks at most until `deadline`; once `interruption` is set, ends soon with
    /// `.interrupted` (a connector with nothing slow to stop may ignore it).
    func connect(to host: ResolvedHost, deadline: Deadline, interruption: Interruption?) throws(ConnectFailure) -> any AgentLink
}

extension AgentConnector {
    /// A connection nothing but its deadline stops.
    public func connect(to host: ResolvedHost, deadline: Deadline) throws(ConnectFailure) -> any AgentLink {
        try connect(to: host, deadline: deadline, interruption: nil)
    }
}
