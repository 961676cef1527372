import PMProtocol

/// One connection to one host's agent: lines out, lines in. An implementation owns its
/// I/O and blocks the calling thread, which is always a worker's own thread, never one of
/// Swift's cooperative pool (see `FanOutTask`). A link is used by one thread at a time.
public protocol AgentLink: AnyObject {
    func send(_ message: Message) throws(LinkError)
    /// Waits for the next line until `deadline`. Empty lines (keepalives) are skipped.
    func receive(until deadline: Deadline) throws(LinkError) -> LinkInput
    /// Ends the connection and releases everything it holds. Safe to call twice.
    func close()
}
