import ArgumentParser
import PMController

struct Status: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Whether each host's agent answers, with its boot id and uptime.")

    @OptionGroup var globals: GlobalOptions

    @Argument(help: "Hosts: inventory names, @groups, node sets like node[01-16], names or addresses.")
    var hosts: [String] = []

    func execute() async throws {
        try await Execution(globals: globals, plan: .status, hostWords: hosts).run()
    }
}
