import ArgumentParser
import Foundation
import PMController

struct Learn: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store each host's MACs, interfaces and broadcast address (from INFO) so it can be woken by name later.",
        discussion: """
        Run it while the hosts are up. What it learns goes to the state folder (--state), never into your \
        inventory YAML; `pmctl wake HOST` uses it when the inventory has no mac for HOST.
        """)

    @OptionGroup var globals: GlobalOptions

    @Argument(help: "Hosts: inventory names, @groups, node sets, names or addresses.")
    var hosts: [String] = []

    func execute() async throws {
        let database: JournalDatabase
        do { database = try JournalDatabase(stateDirectory: StateDirectory.path(globals.state)) } catch {
            FileDescriptorSink.standardError.write("pmctl: cannot open the state in \(StateDirectory.path(globals.state)): \(error)\n")
            throw ExitCode(2)
        }
        let inventory = (try? InventoryLocator.load(explicit: globals.inventory)) ?? .empty
        let resolver = TargetResolver(inventory: inventory)
        let addresses = Dictionary(((try? resolver.resolve(hosts)) ?? []).map { ($0.name, $0.address) }, uniquingKeysWith: { first, _ in first })
        let learner = FactLearner(facts: LearnedFacts(database: database), addresses: addresses)
        defer {
            for (host, why) in learner.failures.sorted(by: { $0.key < $1.key }) {
                FileDescriptorSink.standardError.write("pmctl: \(host): nothing learned: \(why)\n")
            }
        }
        try await Execution(globals: globals, plan: .info, hostWords: hosts, extraHandlers: [learner]).run()
    }
}
