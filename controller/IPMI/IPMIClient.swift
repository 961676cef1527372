import Foundation

/// Runs `ipmitool -I lanplus ... chassis power <command>` against one BMC and reads the
/// answer. The password reaches ipmitool through `-f FILE` or its environment (`-E`),
/// never its argument list, which `ps` shows to everyone.
public struct IPMIClient: Sendable {
    /// Seconds ipmitool waits for each answer, and how often it retries.
    public var answerTimeout = 1
    public var retries = 2
    private let ipmitool: String?
    private let environment: [String: String]

    /// - Parameters:
    ///   - ipmitool: the program; default: found in the fixed search folders.
    ///   - environment: where `PMCTL_IPMI_PASSWORD` is looked up; default: the process's.
    public init(ipmitool: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.ipmitool = ipmitool ?? LocalCommand.locate("ipmitool")
        self.environment = environment
    }

    /// Sends one command. For `status` the state is what the BMC reported; for the others,
    /// `.unknown` (confirm with `status`).
    public func run(_ command: PowerCommand, on bmc: BMCEndpoint) throws(IPMIFailure) -> PowerState {
        guard let ipmitool else { throw .toolMissing }
        var arguments = ["-I", "lanplus", "-H", bmc.address, "-p", String(bmc.port), "-U", bmc.user,
                         "-C", String(bmc.cipherSuite), "-R", String(retries), "-N", String(answerTimeout),
                         // -v makes ipmitool say why a session failed, which tells auth from unreachable.
                         "-v"]
        var childEnvironment = ["PATH": "/usr/bin:/bin", "LANG": "C"]
        if let file = bmc.passwordFile {
            guard FileManager.default.isReadableFile(atPath: file) else { throw .unreadablePasswordFile(path: file) }
            arguments += ["-f", file]
        } else if let password = environment["PMCTL_IPMI_PASSWORD"] {
            childEnvironment["IPMI_PASSWORD"] = password
            arguments.append("-E")
        } else {
            throw .noPassword(bmc: bmc.description)
        }
        arguments += ["chassis", "power", command.rawValue]

        let limit = Double((retries + 1) * answerTimeout * 4 + 10)
        let result: LocalCommand.Result
        do {
            result = try LocalCommand.run(ipmitool, arguments, environment: childEnvironment, timeout: limit)
        } catch {
            throw .failed(bmc: bmc.description, detail: "cannot run ipmitool: \(error)")
        }
        if result.timedOut { throw .unreachable(bmc: bmc.description, detail: "ipmitool gave no answer in \(Int(limit)) s") }
        if result.status == 0 {
            return command == .status ? Self.state(in: result.stdout) : .unknown
        }
        throw Self.classify(result.stdout + result.stderr, bmc: bmc.description)
    }

    /// `Chassis Power is on` / `... off`.
    static func state(in output: String) -> PowerState {
        for line in output.split(separator: "\n") where line.hasPrefix("Chassis Power is ") {
            return PowerState(rawValue: String(line.dropFirst("Chassis Power is ".count)).trimmingCharacters(in: .whitespaces)) ?? .unknown
        }
        return .unknown
    }

    /// ipmitool prints "Unable to establish IPMI v2 / RMCP+ session" both for a wrong
    /// password and for a BMC that is not there; its verbose lines before that tell them apart.
    static func classify(_ output: String, bmc: String) -> IPMIFailure {
        let lines = output.split(separator: "\n").map(String.init)
        let authMarkers = ["RAKP 2 HMAC is invalid", "unauthorized name", "Invalid user name", "Insufficient privilege",
                           "invalid password", "RAKP 2 message indicates an error", "invalid role"]
        let silenceMarkers = ["Get Auth Capabilities error", "No response from remote controller",
                              "Error issuing Get Channel Authentication Capabilities", "Address lookup for"]
        if let line = lines.first(where: { line in authMarkers.contains { line.localizedCaseInsensitiveContains($0) } }) {
            return .auth(bmc: bmc, detail: line.trimmingCharacters(in: CharacterSet(charactersIn: "> ")))
        }
        if let line = lines.first(where: { line in silenceMarkers.contains { line.contains($0) } }) {
            return .unreachable(bmc: bmc, detail: line)
        }
        let tail = lines.filter { !$0.hasPrefix("Loading IANA") && !$0.isEmpty }.suffix(2).joined(separator: "; ")
        return .failed(bmc: bmc, detail: tail.isEmpty ? "ipmitool failed" : tail)
    }
}
