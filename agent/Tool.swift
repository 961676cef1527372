/// Every external program the agent may run or report on, by its plain name. The agent
/// runs nothing else, and finds each one by `ToolRunner`'s fixed search list.
public enum Tool: String, CaseIterable, Sendable {
    case poweroff, reboot, halt
    case initTool = "init"
    case shutdown, systemctl, ethtool
    case etherWake = "ether-wake"
    case etherwake, ip, brctl, ifup, ifdown, virsh, xl, xm, ipmitool, wall
    case sudo

    /// Whether running it needs root; for a non-root agent these go through `sudo -n`.
    /// `ethtool` only needs root to change a setting, which the caller says per run.
    var needsRoot: Bool {
        switch self {
        case .poweroff, .reboot, .halt, .initTool, .shutdown, .systemctl, .ip, .brctl, .ifup, .ifdown, .xl, .xm:
            return true
        case .ethtool, .etherWake, .etherwake, .virsh, .ipmitool, .wall, .sudo:
            return false
        }
    }

    /// The tools `check` reports on, in the order PROTOCOL.md lists them (plus Debian's
    /// spelling `etherwake` beside `ether-wake`).
    static let checked: [Tool] = [
        .poweroff, .reboot, .halt, .initTool, .shutdown, .systemctl, .wall, .ethtool, .etherWake, .etherwake,
        .ip, .brctl, .ifup, .ifdown, .virsh, .xl, .xm, .ipmitool,
    ]
}
