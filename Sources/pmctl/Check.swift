import ArgumentParser
import PMController

struct Check: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Which power, NIC and hypervisor tools each host has, and whether its agent may run them with sudo -n.")

    @OptionGroup var globals: GlobalOptions

    @Argument(help: "Hosts: inventory names, @groups, node sets, names or addresses.")
    var hosts: [String] = []

    func execute() async throws {
        try await Execution(globals: globals, plan: .check, hostWords: hosts).run()
    }
}
