import PMProtocol

/// One request of a cancel, in the order they run: each agent-running guest through its
/// own agent (deepest first), then the execution host with the rest of its stack.
public struct CancelStage: Equatable, Sendable {
    public enum Role: Equatable, Sendable {
        /// A guest of `parent` that runs an agent itself.
        case guest(parent: String)
        /// The execution host the operator named.
        case executionHost
    }

    /// What the controller checks after the request was accepted.
    public enum Confirmation: Equatable, Sendable {
        /// The agent stops answering (poweroff, init 0, suspend).
        case down
        /// The agent answers again with a new boot id (reboot).
        case newBoot
    }

    /// The host whose agent gets the request.
    public var agent: String
    public var role: Role
    public var arguments: CancelArguments
    public var confirmation: Confirmation?

    public init(agent: String, role: Role, arguments: CancelArguments, confirmation: Confirmation?) {
        self.agent = agent
        self.role = role
        self.arguments = arguments
        self.confirmation = confirmation
    }

    /// The exact request line the agent gets (its first request on the link is `r1`).
    public func requestLine(id: String = "r1") -> String {
        let bytes = LineCodec.encode(.request(id: id, verb: Verb.cancel.rawValue, arguments.fields))
        return String(decoding: bytes.dropLast(), as: UTF8.self)
    }
}
