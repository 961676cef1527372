import ArgumentParser
import PMProtocol

struct PMCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pmctl",
        abstract: "Power management for a fleet: status, checks, facts, and cancel (shut down VM stacks and hosts) over SSH agents.",
        discussion: """
        Hosts are inventory names, @groups, node sets (node[01-64], web[1-3,7]) or plain names and addresses. \
        Global options may come before or after the subcommand.

        The ctys form is accepted as ctys wrote it: pmctl -t TYPE -a ACTION=PARTS HOSTS. Parts are KEY or KEY:value, \
        case-insensitive; machine keys are LABEL:/L: (also 1:, as the published examples spell it; a label only names \
        the run and never selects a machine), TCP:/T:, MAC:/M:, UUID:/U:, ID:/I:. Examples (SEMANTICS.md S1-S10):

          S1   pmctl -t pm -a create=wol,t:hostX,broadcast:hostXDirectedCast lab01
          S2   pmctl -t pm -a create=CONSOLE:cli lab01
          S3   pmctl -t pm -a cancel=1:tst100,POWEROFF:0 lab01
          S4   pmctl -t xen -a cancel=1:tst100,force,POWEROFF:0 lab01
          S5   pmctl -t xen -a cancel=1:tst100,POWEROFF,wol lab01
          S6   pmctl -t xen -a cancel=1:tst100,POWEROFF,wol,broadcast:192.168.3.255 lab01
          S7   pmctl -t pm -a cancel=1:tst001,REBOOT lab01
          S8   pmctl -t pm -a cancel=1:tst001,REBOOT,SELF lab01
          S9   pmctl -t xen -a cancel=1:tst100,REBOOT,FORCE lab01
          S10  pmctl -t PM -a cancel=1:tst100,INIT:0 lab01

        cancel parts: POWEROFF[:<delay>] (S5), REBOOT, RESET, INIT:<0-6>, PAUSE (S3), SUSPEND (S4), STACK (default), \
        SELF, FORCE, WOL, IF:<iface>, BROADCAST:<addr>, TIMEOUT:<s>, ALL, LABEL:<text>, ID:<guest>.
        create parts: WOL[:<delay>], RESUME, T:, M:, BROADCAST:, PORT:, BMAC:, IF:, SECUREON:, PING:<n>%<s>, \
        SSHPING:<n>%<s>, CONSOLE:<cli|xterm|gterm|emacs|vnc>, CONNECT, REUSE, IPMI. \

        WARNING: FORCE takes the host down at once; its guests die with it without flushing their caches.

        Exit codes: 0 every host ok, 1 at least one host not ok, 2 bad usage, inventory or input (nothing done), \
        130 interrupted.
        """,
        version: "0.1.0 (protocol \(ProtocolVersion.current))",
        subcommands: [Status.self, Check.self, Info.self, Cancel.self, Wake.self, Learn.self, Console.self, Ipmi.self, History.self, Retry.self, AgentCommand.self, CtysForm.self])
}
