/// What the agent may run as root, as sudoers rules: one line per binary, with the
/// arguments pinned wherever the agent's use of the tool is fixed. A non-root agent asks
/// `sudo -n` for exactly these commands; `pmctl agent sudoers` prints them, and
/// agent/deploy/sudoers.template is the same list for installing by hand.
public enum AgentPrivileges {
    public struct Rule: Sendable {
        public var tool: String
        /// Where Debian puts it; `pmctl agent sudoers --path TOOL=PATH` changes it.
        public var defaultPath: String
        /// Each allowed argument list; "" allows the bare command and nothing else.
        public var argumentForms: [String]
    }

    public static let rules: [Rule] = [
        Rule(tool: "poweroff", defaultPath: "/usr/sbin/poweroff", argumentForms: [""]),
        Rule(tool: "reboot", defaultPath: "/usr/sbin/reboot", argumentForms: [""]),
        Rule(tool: "init", defaultPath: "/usr/sbin/init", argumentForms: (0...6).map(String.init)),
        Rule(tool: "systemctl", defaultPath: "/usr/bin/systemctl", argumentForms: ["poweroff", "reboot", "suspend", "hibernate"]),
        Rule(tool: "shutdown", defaultPath: "/usr/sbin/shutdown", argumentForms: ["-h now", "-r now"]),
        Rule(tool: "ethtool", defaultPath: "/usr/sbin/ethtool", argumentForms: ["-s * wol g"]),
        Rule(tool: "ip", defaultPath: "/usr/sbin/ip", argumentForms: ["link set * down", "link set * up"]),
        Rule(tool: "xl", defaultPath: "/usr/sbin/xl", argumentForms: ["list", "shutdown *", "reboot *", "destroy *"]),
        Rule(tool: "xm", defaultPath: "/usr/sbin/xm", argumentForms: ["list", "shutdown *", "reboot *", "destroy *"]),
    ]

    /// A login name sudoers can take safely: `[a-z_][a-z0-9_-]{0,31}`.
    public static func isUserName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...32).contains(bytes.count), Grammar.isLower(bytes[0]) || bytes[0] == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy { Grammar.isLower($0) || Grammar.isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// The sudoers file for `user`; `paths` overrides a tool's default path.
    public static func sudoers(user: String, paths: [String: String] = [:]) -> String {
        precondition(isUserName(user), "check the user name first")
        var text = """
            # /etc/sudoers.d/pmagent: what the PMControl agent (user \(user)) may run as root, and nothing else.
            # No password, no terminal: the agent always runs `sudo -n PATH ARGS` and reports
            # not-permitted instead of waiting for a prompt.
            Defaults:\(user) !requiretty, !lecture, env_reset

            """
        for rule in rules {
            let path = paths[rule.tool] ?? rule.defaultPath
            let commands = rule.argumentForms.map { $0.isEmpty ? path : "\(path) \($0)" }
            text += "\(user) ALL=(root) NOPASSWD: \(commands.joined(separator: ", "))\n"
        }
        return text
    }
}
