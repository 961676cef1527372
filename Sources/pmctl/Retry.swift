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

        A host is in doubt when its cancel (or IPMI power command) went out but no result came back: it may \
        have acted. Such hosts are not sent the request again; they are named on stderr and the exit status \
        is 1. Check them (pmctl status HOSTS), then pass --resend-unknown to send to them anyway.
        """)

    @OptionGroup var globals: GlobalOptions

    @Flag(help: "Only the hosts that did not end ok (the default; kept for scripts that spell it out).")
    var failed = false

    @Flag(name: .customLong("resend-unknown"), help: "Also resend to hosts in doubt (request sent, result never came). They may have acted already: check them first.")
    var resendUnknown = false

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
        let inDoubt = resendUnknown ? [] : Set(try reader.hostsInDoubt(run))
        let targets = hosts.filter { $0.outcome != .ok && !inDoubt.contains($0.host) }.map(\.host)
        if !inDoubt.isEmpty {
            let names = hosts.map(\.host).filter(inDoubt.contains)
            standardError.write("pmctl: not resent to \(names.count) host(s) in doubt: \(NodeSet.summary(names)). Their request went out in run \(run) "
                                + "but no result came back, so they may have acted. Check them (pmctl status \(NodeSet.summary(names))), "
                                + "then 'pmctl retry \(run) --resend-unknown' to send again.\n")
        }
        guard !targets.isEmpty else {
            if inDoubt.isEmpty {
                standardError.write("pmctl: every host of run \(run) ended ok; nothing to retry\n")
                return
            }
            throw ExitCode(1)
        }
        standardError.write("pmctl: retrying \(summary.action) of run \(run) on \(targets.count) host(s): \(NodeSet.summary(targets))\n")
        try await Execution(globals: globals, plan: plan, hostWords: targets).run()
        // Hosts in doubt were not done: the retry as a whole did not make every host ok.
        if !inDoubt.isEmpty { throw ExitCode(1) }
    }
}
