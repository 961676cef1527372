import ArgumentParser
import Foundation
import PMController

struct Ipmi: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipmi",
        abstract: "Power control through each host's BMC (ipmitool -I lanplus): on, off, soft, cycle, reset, status.",
        discussion: """
        The BMC's address, port, user, cipher suite and password file come from the inventory's ipmi: entry; \
        without a password file the password is taken from $PMCTL_IPMI_PASSWORD. It never appears on a command line. \
        A BMC whose ipmi: entry names a relay (a host on the BMC's segment) is driven by that host's agent, which \
        runs ipmitool there (protocol 1.1, verb ipmi; the password travels inside the SSH session and reaches \
        ipmitool on a pipe). ipmitool is looked up in $PMCTL_PROGRAM_PATH if set, else the fixed system folders. \
        After on and off the BMC is polled until it reports that state; after cycle until it reports off, then on \
        (on alone proves nothing: it was on before). reset and soft are ok once the BMC accepts them: their effect \
        does not show in the power state. Two commands to the \
        same BMC are at least --bmc-interval seconds apart, within a run and across runs (the time is kept in --state). \
        Outcomes: ok; auth (the BMC refused the login); unreachable (nothing answered); failed (the command or its \
        confirmation failed); refused (no ipmi entry, no password, no ipmitool).
        """)

    @OptionGroup var globals: GlobalOptions

    @Option(name: .customLong("bmc-interval"), help: ArgumentHelp("Minimum seconds between two commands to the same BMC.", valueName: "s"))
    var bmcInterval: Double = 5

    @Option(name: .customLong("bmc-fanout"), help: ArgumentHelp("BMCs driven at once.", valueName: "n"))
    var bmcFanout: Int = 16

    @Argument(help: "Hosts, then the verb: on, off, soft, cycle, reset or status.")
    var words: [String] = []

    func validate() throws {
        guard let verb = words.last, PowerCommand(rawValue: verb.lowercased()) != nil else {
            throw ValidationError("the last word must be on, off, soft, cycle, reset or status, e.g. pmctl ipmi lab01 status")
        }
        guard words.count >= 2 else { throw ValidationError("name at least one host before the verb") }
        guard bmcInterval >= 0, bmcInterval <= 3_600 else { throw ValidationError("--bmc-interval must be from 0 to 3600 seconds") }
        guard bmcFanout >= 1 else { throw ValidationError("--bmc-fanout must be at least 1") }
    }

    func execute() async throws {
        let command = PowerCommand(rawValue: words.last!.lowercased())!
        try await Execution(globals: globals, plan: .ipmi(command, label: nil), hostWords: Array(words.dropLast()),
                            bmcInterval: bmcInterval, bmcFanout: bmcFanout).run()
    }
}
