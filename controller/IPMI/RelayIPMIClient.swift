import Foundation
import PMProtocol

/// Runs one `chassis power` command through a relay: the agent of a host on the BMC's
/// segment gets an `ipmi` request (protocol 1.1) and runs ipmitool there. The password is
/// read here (the inventory's password file, else `PMCTL_IPMI_PASSWORD`) and travels inside
/// the SSH session as an escaped value; the agent hands it to ipmitool on a pipe.
public struct RelayIPMIClient: Sendable {
    public var connector: any AgentConnector
    public var resolver: TargetResolver
    public var connectTimeout: Double
    private let environment: [String: String]

    public init(connector: any AgentConnector, resolver: TargetResolver, connectTimeout: Double = 10,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.connector = connector
        self.resolver = resolver
        self.connectTimeout = connectTimeout
        self.environment = environment
    }

    /// The agent's ipmitool budget (PROTOCOL.md 6.6) and some room for the link.
    static let answerBudget = 40.0

    public func run(_ command: PowerCommand, on bmc: BMCEndpoint, via relay: String) throws(IPMIFailure) -> PowerState {
        let arguments = IPMIArguments(command: command.rawValue, address: bmc.address, port: bmc.port, user: bmc.user,
                                      cipher: bmc.cipherSuite, password: try password(for: bmc))
        let host = resolver.host(relay)
        let client: AgentClient
        do {
            let link = try connector.connect(to: host, deadline: .after(seconds: connectTimeout))
            client = try AgentClient.greet(over: link, deadline: .after(seconds: connectTimeout))
        } catch let error as ConnectFailure {
            throw .relay(relay: relay, detail: error.message, outcome: Outcome(error.kind))
        } catch {
            throw .relay(relay: relay, detail: "\(error)", outcome: .failed)
        }
        defer { client.close() }
        let reply: AgentReply
        do {
            reply = try client.call(.ipmi, arguments.fields, deadline: .after(seconds: Self.answerBudget))
        } catch {
            throw .relay(relay: relay, detail: error.description, outcome: .failed)
        }
        if reply.isOK { return PowerState(rawValue: reply.final.fields.text("power") ?? "") ?? .unknown }
        switch reply.final.errorCode {
        case .toolFailed? where reply.final.fields.text("tool") == "ipmitool":
            throw IPMIClient.classify(reply.final.fields.text("stderr") ?? "", bmc: "\(bmc) via \(relay)")
        case .timeout?:
            throw .unreachable(bmc: "\(bmc) via \(relay)", detail: "ipmitool on \(relay) gave no answer in time")
        case .unknownVerb?:
            throw .relay(relay: relay, detail: "its agent predates protocol 1.1 and has no ipmi verb: update pmagent there", outcome: .refused)
        case .toolMissing?:
            throw .relay(relay: relay, detail: "ipmitool is not installed there (Debian package: ipmitool)", outcome: .refused)
        default:
            throw .relay(relay: relay, detail: reply.message, outcome: reply.outcome)
        }
    }

    /// The first line of the password file, else `PMCTL_IPMI_PASSWORD`.
    private func password(for bmc: BMCEndpoint) throws(IPMIFailure) -> String {
        if let file = bmc.passwordFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw .unreadablePasswordFile(path: file) }
            return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        }
        guard let password = environment["PMCTL_IPMI_PASSWORD"] else { throw .noPassword(bmc: bmc.description) }
        return password
    }
}
