/// The agent's greeting, the first line it sends:
/// `HELLO proto=1.1 agent=0.1.0 host=lab01 caps=ping,info,check,cancel,wake,ipmi`.
public struct Hello: Equatable, Sendable {
    public var protocolVersion: ProtocolVersion
    public var agentVersion: String
    public var host: String
    public var capabilities: [String]

    public init(protocolVersion: ProtocolVersion = .current, agentVersion: String, host: String, capabilities: [String]) {
        self.protocolVersion = protocolVersion
        self.agentVersion = agentVersion
        self.host = host
        self.capabilities = capabilities
    }

    /// Why a greeting was refused.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case notAGreeting
        case badVersion(String)
        case incompatible(agent: ProtocolVersion, controller: ProtocolVersion)

        public var description: String {
            switch self {
            case .notAGreeting:
                return "the first line was not a HELLO greeting (is pmagent the forced command for this key?)"
            case .badVersion(let text):
                return "the greeting's protocol version '\(text)' is not MAJOR.MINOR"
            case .incompatible(let agent, let controller):
                let upgrade = agent.major < controller.major ? "upgrade pmagent on that host" : "upgrade pmctl"
                return "the agent speaks protocol \(agent), this pmctl speaks \(controller): \(upgrade)"
            }
        }
    }

    /// Reads a greeting and checks that its major version matches ours. Unknown keys are
    /// ignored: later minor versions may add some.
    public init(_ message: Message, expecting ours: ProtocolVersion = .current) throws(Failure) {
        guard message.kind == .hello else { throw .notAGreeting }
        let versionText = message.fields.text("proto") ?? ""
        guard let version = ProtocolVersion(versionText) else { throw .badVersion(versionText) }
        guard version.isCompatible(with: ours) else { throw .incompatible(agent: version, controller: ours) }
        protocolVersion = version
        agentVersion = message.fields.text("agent") ?? "unknown"
        host = message.fields.text("host") ?? ""
        capabilities = (message.fields.text("caps") ?? "").split(separator: ",").map(String.init)
    }

    public var message: Message {
        var fields = Fields()
        fields.set("proto", protocolVersion.description)
        fields.set("agent", agentVersion)
        fields.set("host", host)
        fields.set("caps", capabilities.joined(separator: ","))
        return .hello(fields)
    }
}
