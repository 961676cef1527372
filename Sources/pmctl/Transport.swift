import Foundation
import PMController

/// Picks how pmctl reaches agents: SSH (libssh2) normally; a local process over pipes
/// with the hidden `--agent-process` (tests, and talking to the local host's agent).
enum Transport {
    static func connector(_ globals: GlobalOptions) throws(PlanError) -> any AgentConnector {
        guard let program = globals.agentProcess else { return SSHAgentConnector() }
        guard program.hasPrefix("/") else { throw PlanError("--agent-process needs an absolute path, got '\(program)'") }
        let arguments = globals.agentArguments.isEmpty ? ["serve"] : globals.agentArguments
        return ProcessAgentConnector(executable: program) { host in
            arguments.map { $0.replacingOccurrences(of: "{host}", with: host.name) }
        }
    }
}
