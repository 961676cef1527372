import ArgumentParser
import PMController

struct Info: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Host facts: interfaces with MAC, IPs and WoL, DMI ids, OS, hypervisors and their guests.")

    @OptionGroup var globals: GlobalOptions

    @Argument(help: "Hosts: inventory names, @groups, node sets, names or addresses.")
    var hosts: [String] = []

    func execute() async throws {
        try await Execution(globals: globals, plan: .info, hostWords: hosts).run()
    }
}
