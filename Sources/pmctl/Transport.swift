import Foundation
import PMController

/// Picks how pmctl reaches agents. The SSH connector plugs in here when the SSH module
/// lands; until then only the local process connector exists (`--agent-process`).
enum Transport {
    static func connector(_ globals: GlobalOptions) throws(PlanError) -> any AgentConnector {
        guard let program = globals.agentProcess else {
            throw PlanError("this build of pmctl has no SSH transport yet; to reach a local agent, pass --agent-process /path/to/pmagent --agent-arg serve")
        }
        guard program.hasPrefix("/") else { throw PlanError("--agent-process needs an absolute path, got '\(program)'") }
        let arguments = globals.agentArguments.isEmpty ? ["serve"] : globals.agentArguments
        return ProcessAgentConnector(executable: program) { host in
            arguments.map { $0.replacingOccurrences(of: "{host}", with: host.name) }
        }
    }
}
