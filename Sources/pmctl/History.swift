import ArgumentParser
import Foundation
import PMController

struct History: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Past runs from the journal: what ran, when, and how each host ended.",
        discussion: """
        Without a run id: the newest runs, newest first, with their hosts counted by outcome. With one: that \
        run's hosts, their steps and outcomes; a host whose result never came (crash, kill, Ctrl-C) shows \
        'unfinished'. The journal lives in --state (default $PMCTL_STATE, else ~/.local/state/pmctl).
        """)

    @OptionGroup var globals: GlobalOptions

    @Option(help: ArgumentHelp("How many runs to list.", valueName: "n"))
    var last: Int = 20

    @Argument(help: "A run id, to show that run's hosts.")
    var run: String?

    func validate() throws {
        guard last >= 1 else { throw ValidationError("--last must be at least 1") }
    }

    func execute() async throws {
        let out = FileDescriptorSink.standardOutput
        let reader = try JournalAccess.reader(globals)
        if let run {
            guard let (summary, hosts) = try reader.run(run) else {
                FileDescriptorSink.standardError.write("pmctl: no run '\(run)' in the journal; 'pmctl history' lists them\n")
                throw ExitCode(2)
            }
            if globals.json {
                out.write(hosts.map { JSONRenderer.line(for: $0) + "\n" }.joined() + HistoryText.jsonLine(summary))
            } else {
                out.write(HistoryText.detail(summary, hosts: hosts))
            }
        } else {
            let runs = try reader.runs(last: last)
            out.write(globals.json ? runs.map(HistoryText.jsonLine).joined() : HistoryText.table(runs))
        }
    }
}
