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

    /// - Parameter interruption: Ctrl-C, watched while connecting to the relay and waiting for it.
    public func run(_ command: PowerCommand, on bmc: BMCEndpoint, via relay: String,
                    interruption: Interruption? = nil) throws(IPMIFailure) -> PowerState {
        let arguments = IPMIArguments(command: command.rawValue, address: bmc.address, port: bmc.port, user: bmc.user,
                                      cipher: bmc.cipherSuite, password: try password(for: bmc))
        let host = resolver.host(relay)
        let client: AgentClient
        let link: any AgentLink
        do {
            link = try connector.connect(to: host, deadline: .after(seconds: connectTimeout), interruption: interruption)
        } catch {
            throw .relay(relay: relay, detail: error.message, outcome: Outcome(error.kind))
        }
        do {
            client = try AgentClient.greet(over: link, deadline: .after(seconds: connectTimeout), interruption: interruption)
        } catch {
            link.close()
            throw .relay(relay: relay, detail: error.description, outcome: error.outcome)
        }
        defer { client.close() }
        let reply: AgentReply
        do {
            reply = try client.call(.ipmi, arguments.fields, deadline: .after(seconds: Self.answerBudget))
        } catch {
            // A timeout stays a timeout, Ctrl-C unfinished: the relay may have run ipmitool.
            throw .relay(relay: relay, detail: error.description, outcome: error.outcome)
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
            return try Self.passwordLine(text, file: file)
        }
        guard let password = environment["PMCTL_IPMI_PASSWORD"] else { throw .noPassword(bmc: bmc.description) }
        return password
    }

    /// The password as `ipmitool -f` reads it: the first line, without its line end (LF or
    /// CRLF); IPMI v2 passwords are 1 to 20 bytes.
    static func passwordLine(_ text: String, file: String) throws(IPMIFailure) -> String {
        let line = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard (1...20).contains(line.utf8.count) else {
            throw .badPassword(path: file, bytes: line.utf8.count)
        }
        return line
    }
}
