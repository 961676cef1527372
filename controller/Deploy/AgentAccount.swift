/// The agent's user on a host, as `getent passwd` tells it.
struct AgentAccount: Equatable {
    var name: String
    var uid: String
    var gid: String
    var home: String
    var shell: String

    /// `name:x:uid:gid:gecos:home:shell`
    init?(passwdLine: String) {
        let fields = passwdLine.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let isNumber = { (text: String) in !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber } }
        guard fields.count >= 7, isNumber(fields[2]), isNumber(fields[3]), fields[5].hasPrefix("/") else { return nil }
        name = fields[0]
        uid = fields[2]
        gid = fields[3]
        shell = fields[6]
        home = fields[5].count > 1 && fields[5].hasSuffix("/") ? String(fields[5].dropLast()) : fields[5]
    }

    /// sshd runs the forced command with the user's shell: nologin or false would refuse it.
    var shellRunsCommands: Bool {
        !(shell.isEmpty || shell.hasSuffix("/nologin") || shell.hasSuffix("/false"))
    }

    /// uid 0 under any name is root: never the agent.
    var isRoot: Bool { Int(uid) == 0 }

    /// `uid:gid`, for messages.
    var owner: String { "\(uid):\(gid)" }
    var sshDirectory: String { (home == "/" ? "" : home) + "/.ssh" }
    var authorizedKeys: String { sshDirectory + "/authorized_keys" }
}
