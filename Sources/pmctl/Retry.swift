import ArgumentParser
import Foundation
import PMController

struct Retry: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a journaled run's plan again on its hosts that did not end ok.",
        discussion: """
        The hosts are those of RUN-ID whose outcome was not ok, unfinished ones included (a crash, kill or \
        Ctrl-C left them without a result); a host that ended ok is never touched again. --failed says so \
        explicitly and is the default. The retry is a new run in the journal that names the run it retries; \
        retrying again, or retrying that retry, looks at every earlier attempt, so a host that ended ok in any \
        of them is left out. --ipmi-fallback and --bmc-interval come from the original run; timeouts, fan-out \
        and login options from this command line. A run that is still going (its pmctl holds its lock in \
        --state) cannot be retried: exit 2.

        Which hosts are resent: those whose request never went out (unreachable, auth, hostkey, refused \
        before the request, not started), and those whose agent or BMC answered the request with an error \
        (ERR: refused or a step failed; it says so). A host is in doubt, and NOT resent, when its cancel (or \
        BMC power command) went out and either no answer came (timeout, the link closed, a crash, Ctrl-C) \
        or it was accepted (a host ...-accepted step, or the BMC took the command) but not confirmed: it may \
        have acted. Such hosts are named on stderr and the exit status is 1. Check them (pmctl status \
        HOSTS), then pass --resend-unknown to send to them anyway.
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
        guard let (summary, _) = try reader.run(run) else {
            standardError.write("pmctl: no run '\(run)' in the journal; 'pmctl history' lists them\n")
            throw ExitCode(2)
        }
        let original = summary.retryOf ?? run
        // Held through the retry: neither the run nor another retry of it may be going.
        let lock: RunLock?
        do { lock = try RunLock.acquire(stateDirectory: StateDirectory.path(globals.state), runID: original) } catch {
            standardError.write("pmctl: cannot create the run lock in \(StateDirectory.path(globals.state)) (\(error)); pass --state DIR\n")
            throw ExitCode(2)
        }
        guard let lock else {
            standardError.write("pmctl: run \(original) (or a retry of it) is still going in another pmctl; wait until it ends, "
                                + "then retry (its hosts' results are still coming)\n")
            throw ExitCode(2)
        }
        let first = try reader.run(original)?.0 ?? summary
        let settings = first.settings
        let plan: ActionPlan
        do { plan = try ActionPlan(journalForm: first.plan) } catch {
            standardError.write("pmctl: \(error.message)\n")
            throw ExitCode(2)
        }
        guard let selection = try reader.retrySelection(original, resendUnknown: resendUnknown) else {
            standardError.write("pmctl: no run '\(original)' in the journal; 'pmctl history' lists them\n")
            throw ExitCode(2)
        }
        let inDoubt = selection.inDoubt
        if !inDoubt.isEmpty {
            let names = NodeSet.summary(inDoubt)
            standardError.write("pmctl: not resent to \(inDoubt.count) host(s) in doubt: \(names). Their request went out in run \(original) "
                                + "or a retry of it, and no answer came back or it was accepted but not confirmed, so they may have acted. "
                                + "Check them (pmctl status \(names)), then 'pmctl retry \(original) --resend-unknown' to send again.\n")
        }
        let targets = selection.targets
        guard !targets.isEmpty else {
            if inDoubt.isEmpty {
                standardError.write("pmctl: every host of run \(original) ended ok; nothing to retry\n")
                return
            }
            throw ExitCode(1)
        }
        standardError.write("pmctl: retrying \(summary.action) of run \(original) on \(targets.count) host(s): \(NodeSet.summary(targets))\n")
        var execution = Execution(globals: globals, plan: plan, hostWords: targets)
        execution.retryOf = original
        execution.familyLock = lock
        execution.ipmiFallback = settings.ipmiFallback
        execution.bmcInterval = settings.bmcInterval
        try await execution.run()
        // Hosts in doubt were not done: the retry as a whole did not make every host ok.
        if !inDoubt.isEmpty { throw ExitCode(1) }
    }
}
