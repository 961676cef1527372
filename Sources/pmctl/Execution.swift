import ArgumentParser
import Foundation
import PMController

/// Runs a checked plan on the named hosts: the wiring every command shares.
struct Execution {
    let globals: GlobalOptions
    let plan: ActionPlan
    let hostWords: [String]
    var bmcInterval: Double = 5
    var bmcFanout: Int = 16
    /// `cancel --ipmi-fallback`: an unreachable host's own action goes through its BMC.
    var ipmiFallback = false
    /// Seconds between two magic packets of one run (`wake --stagger`).
    var stagger: Double = 0.05
    /// Handlers beyond the renderer and the journal (`learn` stores what INFO found).
    var extraHandlers: [any EventHandler] = []
    /// `pmctl retry`: the first run of the family this run retries, and its lock, which the
    /// retry took before choosing its hosts.
    var retryOf: String? = nil
    var familyLock: RunLock? = nil

    /// Cancels and BMC power commands change machines: they are not sent unless the journal
    /// records them first.
    private var changesMachines: Bool {
        switch plan {
        case .cancel: true
        case .ipmi(let command, _): command != .status
        case .status, .check, .info, .wake, .console: false
        }
    }

    func run() async throws {
        let fail = Self.usage
        let (inventory, resolver, hosts) = try Self.resolve(hostWords, globals)
        let runID = RunID.make()

        if globals.dryRun {
            let learned = (try? JournalDatabase(stateDirectory: StateDirectory.path(globals.state))).map(LearnedFacts.init)
            let printer = PlanPrinter(plan: plan, inventory: inventory, learned: learned, ipmiFallback: ipmiFallback)
            do {
                FileDescriptorSink.standardOutput.write(globals.json ? try printer.jsonLines(for: hosts, runID: runID) : try printer.text(for: hosts))
            } catch {
                throw fail(error.message)
            }
            return
        }
        switch plan {
        case .console(let console):
            ConsoleLauncher(globals: globals, kind: console.kind).run(hostWords: hostWords)
        case .status, .check, .info, .cancel, .ipmi, .wake:
            break
        }
        try Self.confirm(plan.name, on: hosts, globals)

        let settings = WorkerSettings(connectTimeout: globals.connectTimeout, actionTimeout: globals.timeout ?? plan.defaultTimeout,
                                      confirmTimeout: globals.confirmTimeout)
        let renderer = Self.renderer(globals)
        let interruption = Interruption()
        let signalSource = interruption.watchSIGINT()
        defer { signalSource.cancel() }
        let command = (["pmctl"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        // The journal hears each event first: whatever the output shows is already recorded,
        // even if pmctl is killed right after printing it.
        let journal = Self.openJournal(globals, journalForm: plan.journalForm, retryOf: retryOf,
                                       settings: RunSettings(ipmiFallback: ipmiFallback, bmcInterval: bmcInterval))
        if journal == nil, changesMachines {
            throw fail("\(plan.name) changes machines and is not run without its journal (so a crash cannot lead to sending it twice); "
                       + "fix the state folder or pass --state DIR")
        }
        // Held until this run ends: `pmctl retry` of this run refuses while it is held.
        let lock = try familyLock ?? holdRunLock(runID)
        defer { withExtendedLifetime(lock) {} }
        let handlers: [any EventHandler] = (journal.map { [$0] } ?? []) + [renderer] + extraHandlers
        let report: RunReport
        let connector: any AgentConnector
        do { connector = try Transport.connector(globals) } catch { throw fail(error.message) }
        if case .ipmi(let power, _) = plan {
            let control = bmcControl(confirmTimeout: globals.timeout ?? 60, resolver: resolver, connector: connector)
            let runner = IPMIRunner(command: power, inventory: inventory, control: control, fanout: bmcFanout)
            report = await runner.run(hosts: hosts, runID: runID, commandLine: command, handlers: handlers, interruption: interruption)
        } else {
            var runner = Runner(plan: plan, inventory: inventory, resolver: resolver, connector: connector,
                                settings: settings, fanout: globals.fanout)
            if ipmiFallback { runner.ipmiFallback = bmcControl(confirmTimeout: globals.confirmTimeout, resolver: resolver, connector: connector) }
            let learned = (try? JournalDatabase(stateDirectory: StateDirectory.path(globals.state))).map(LearnedFacts.init)
            report = await runner.run(hosts: hosts, runID: runID, command: command, handlers: handlers, interruption: interruption,
                                      learned: learned, stagger: stagger)
        }
        Self.reportJournalErrors(journal, runID: runID)
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        // create=WOL,...,CONSOLE:<kind>: wake, wait, then the console on the woken host.
        if case .wake(let wake) = plan, let kind = wake.console, report.results.count == 1, let woken = report.results.first {
            ConsoleLauncher(globals: globals, kind: kind).run(hostWords: [woken.host])
        }
    }

    /// Says what is wrong and gives the exit code for bad usage, inventory or input (2).
    static func usage(_ message: String) -> ExitCode {
        FileDescriptorSink.standardError.write("pmctl: \(message)\n")
        return ExitCode(2)
    }

    /// The inventory, and the hosts the words name with the login options applied; a bad
    /// inventory or host word ends pmctl with exit 2 before anything is done.
    static func resolve(_ words: [String], _ globals: GlobalOptions) throws -> (Inventory, TargetResolver, [ResolvedHost]) {
        let fail = usage
        let inventory: Inventory
        do { inventory = try InventoryLocator.load(explicit: globals.inventory) } catch { throw fail(error.description) }
        let resolver = TargetResolver(inventory: inventory, overrides: LoginOverrides(
            user: globals.user, port: globals.port, identity: globals.identity, knownHosts: globals.knownHosts))
        do { return (inventory, resolver, try resolver.resolve(words)) } catch { throw fail(error.message) }
    }

    /// Above `--confirm-above` hosts: ask on a terminal, else refuse unless `--yes` (exit 2).
    static func confirm(_ action: String, on hosts: [ResolvedHost], _ globals: GlobalOptions) throws {
        guard hosts.count > globals.confirmAbove, !globals.yes else { return }
        let summary = NodeSet.summary(hosts.map(\.name))
        guard isatty(0) == 1, isatty(2) == 1 else {
            throw usage("\(hosts.count) target hosts is more than \(globals.confirmAbove) (\(summary)); pass --yes to go ahead")
        }
        FileDescriptorSink.standardError.write("\(action) on \(hosts.count) hosts (\(summary))? [y/N] ")
        guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
            throw usage("not confirmed; nothing was done")
        }
    }

    /// The JSON stream with --json, else lines and a summary for people.
    static func renderer(_ globals: GlobalOptions) -> any EventHandler {
        let standardError = FileDescriptorSink.standardError
        let style = TerminalStyle.decide(stdoutIsTerminal: FileDescriptorSink.standardOutput.isTerminal,
                                         stderrIsTerminal: standardError.isTerminal, environment: ProcessInfo.processInfo.environment)
        return globals.json
            ? JSONRenderer(sink: FileDescriptorSink.standardOutput)
            : HumanRenderer(out: FileDescriptorSink.standardOutput, err: standardError, style: style)
    }

    /// BMC commands paced per BMC (the last command's time is kept in the state folder).
    private func bmcControl(confirmTimeout: Double, resolver: TargetResolver, connector: any AgentConnector) -> IPMIPowerControl {
        let pacer = BMCPacer(stateDirectory: StateDirectory.path(globals.state), interval: bmcInterval)
        let relays = RelayIPMIClient(connector: connector, resolver: resolver, connectTimeout: globals.connectTimeout)
        return IPMIPowerControl(client: IPMIClient(), pacer: pacer, confirmTimeout: confirmTimeout, relayClient: relays)
    }

    /// The lock of a new run family. A query goes ahead without one when the state folder
    /// cannot hold it; a run that changes machines does not (its journal could not either).
    private func holdRunLock(_ runID: String) throws -> RunLock? {
        do {
            return try RunLock.acquire(stateDirectory: StateDirectory.path(globals.state), runID: runID)
        } catch {
            if changesMachines { throw Self.usage("cannot create the run lock in \(StateDirectory.path(globals.state)) (\(error)); pass --state DIR") }
            return nil
        }
    }

    /// The journal in the state folder. A query still goes ahead when it cannot be opened
    /// (say so, though: that run cannot be retried or looked up later); `run` refuses a
    /// cancel or a BMC power command then.
    static func openJournal(_ globals: GlobalOptions, journalForm: String, retryOf: String? = nil,
                            settings: RunSettings = RunSettings()) -> SQLiteJournal? {
        let directory = StateDirectory.path(globals.state)
        do {
            return SQLiteJournal(database: try JournalDatabase(stateDirectory: directory), journalForm: journalForm, retryOf: retryOf,
                                 settings: settings)
        } catch {
            FileDescriptorSink.standardError.write("pmctl: cannot open the journal in \(directory) (\(error)); this run is not recorded (use --state DIR)\n")
            return nil
        }
    }

    /// After the run: whether the journal missed something.
    static func reportJournalErrors(_ journal: SQLiteJournal?, runID: String) {
        if let error = journal?.firstError {
            FileDescriptorSink.standardError.write("pmctl: the journal could not record everything (\(error)); run \(runID) may be incomplete in 'pmctl history'\n")
        }
    }
}
