/// Opens links to agents: SSH in production (the SSH module), a local process in tests
/// (`ProcessAgentConnector`). Called from worker threads, so it must be thread-safe.
public protocol AgentConnector: Sendable {
    /// Connects and authenticates, but does not read the greeting (`AgentClient` does).
    /// Blocks at most until `deadline`.
    func connect(to host: ResolvedHost, deadline: Deadline) throws(ConnectFailure) -> any AgentLink
}
