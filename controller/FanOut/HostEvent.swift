import PMProtocol

/// What happened to one host, as it happens. Handlers (renderers, the journal) get these
/// in order per host; events of different hosts interleave.
public enum HostEvent: Equatable, Sendable {
    /// The worker began (a connection attempt follows).
    case started(host: String)
    /// A link to an agent is up (`agent` is the host itself, or a guest of its stack).
    case connected(host: String, agent: String)
    /// The agent greeted with a compatible version.
    case greeted(host: String, agent: String, hello: Hello)
    /// A request that changes the machine (a cancel, an IPMI power command) is about to go
    /// out to `agent`: from here on the host may act even if its result never comes. The
    /// journal commits this before the request is sent, so `retry` never sends it twice.
    case sending(host: String, agent: String)
    /// The final answer to the request announced by the last `sending` came: `accepted`
    /// (OK: the agent or BMC took it on) or not (ERR: refused or failed, per its message).
    /// A `sending` with no `replied` after it leaves the host in doubt.
    case replied(host: String, agent: String, accepted: Bool)
    /// A progress line: a `STEP` from an agent, or the controller's own (guest, confirm).
    case step(host: String, Step)
    /// A `DATA` record of a query.
    case data(host: String, Fields)
    /// The host's final result.
    case finished(HostResult)

    public var host: String {
        switch self {
        case .started(let host), .connected(let host, _), .greeted(let host, _, _), .sending(let host, _),
             .replied(let host, _, _), .step(let host, _), .data(let host, _):
            host
        case .finished(let result): result.host
        }
    }
}
