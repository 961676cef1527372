import ArgumentParser
import Foundation
import PMController

struct Retry: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a journaled run's plan again on its hosts that did not end ok.",
        discussion: """
        The hosts are those of RUN-ID whose outcome was not ok, unfinished ones included (a crash, kill or \
        Ctrl-C left them without a result); a host that ended ok is never touched again. --failed says so \
        explicitly and is the default. The retry is a new run in the journal. Timeouts, fan-out and login \
        options come from this command line, not from the original run.
        """)

    @OptionGroup var globals: GlobalOptions

    @Flag(help: "Only the hosts that did not end ok (the default; kept for scripts that spell it out).")
    var failed = false

    @Argument(help: "The run to retry, as 'pmctl history' shows it.")
    var run: String

    func execute() async throws {
        let standardError = FileDescriptorSink.standardError
        let reader = try JournalAccess.reader(globals)
        guard let (summary, hosts) = try reader.run(run) else {
            standardError.write("pmctl: no run '\(run)' in the journal; 'pmctl history' lists them\n")
            throw ExitCode(2)
        }
        let plan: ActionPlan
        do { plan = try ActionPlan(journalForm: summary.plan) } catch {
            standardError.write("pmctl: \(error.message)\n")
            throw ExitCode(2)
        }
        let targets = hosts.filter { $0.outcome != .ok }.map(\.host)
        guard !targets.isEmpty else {
            standardError.write("pmctl: every host of run \(run) ended ok; nothing to retry\n")
            return
        }
        standardError.write("pmctl: retrying \(summary.action) of run \(run) on \(targets.count) host(s): \(NodeSet.summary(targets))\n")
        try await Execution(globals: globals, plan: plan, hostWords: targets).run()
    }
}
