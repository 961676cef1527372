import PMProtocol

/// Where the sudoers file `agent install` puts on each host comes from: the rules of
/// `pmctl agent sudoers` (AgentPrivileges), or a file of the operator's (for instance
/// agent/deploy/sudoers.template, edited), with `@AGENT_USER@` standing for the agent's user.
/// Either way visudo on the host checks it before it is put in place.
public enum SudoersSource: Equatable, Sendable {
    case generated(paths: [String: String])
    case template(String)

    public func text(user: String) -> String {
        switch self {
        case .generated(let paths): AgentPrivileges.sudoers(user: user, paths: paths)
        case .template(let text): text.replacingOccurrences(of: "@AGENT_USER@", with: user)
        }
    }
}
