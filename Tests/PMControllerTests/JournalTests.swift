import Foundation
import GRDB
import PMProtocol
import Testing
import TestSupport
@testable import PMController

/// The journal, through the built pmctl: what a normal run leaves, what `kill -9` in the
/// middle of a fan-out leaves, and `retry` touching only the hosts that did not end ok.
@Suite(.serialized) struct JournalTests {
    func pmctl(_ arguments: [String], lab: AgentLab, state: TemporaryDirectory) throws -> ProgramRun {
        try pmctl(arguments, lab: lab, statePath: state.path)
    }

    func pmctl(_ arguments: [String], lab: AgentLab, statePath: String) throws -> ProgramRun {
        try ProgramRun.run(Repository.executable("pmctl"),
                           arguments + ["--state", statePath, "--agent-process", "/bin/sh", "--agent-arg", lab.script.path,
                                        "--agent-arg", lab.directory.path, "--agent-arg", "{host}"],
                           environment: ["PMCTL_INVENTORY": nil, "HOME": "/nonexistent"])
    }

    /// Starts pmctl on the lab's agents and kills it with SIGKILL after `seconds`.
    func pmctlKilled(after seconds: Double, _ arguments: [String], lab: AgentLab, state: TemporaryDirectory) throws {
        let process = Process()
        process.executableURL = Repository.executable("pmctl")
        process.arguments = arguments + ["--state", state.path, "--agent-process", "/bin/sh", "--agent-arg", lab.script.path,
                                         "--agent-arg", lab.directory.path, "--agent-arg", "{host}"]
        process.environment = ["HOME": "/nonexistent", "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        Thread.sleep(forTimeInterval: seconds)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func runID(_ run: ProgramRun) -> String? {
        guard let last = run.lines.last, let range = last.range(of: #""run":""#) else { return nil }
        return String(last[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test func aRunIsJournaledAndHistoryShowsItsCountsAndHosts() throws {
        let lab = try AgentLab()
        let state = try TemporaryDirectory()
        defer { state.remove() }
        try lab.setMode("refuse", for: ["b2"])
        let run = try pmctl(["--json", "status", "a1", "b2", "c3"], lab: lab, state: state)
        #expect(run.status == 1)
        let id = try #require(runID(run))

        let history = try pmctl(["history", "--json"], lab: lab, state: state)
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.lines.count == 1)
        #expect(history.lines[0].hasPrefix(#"{"run":"\#(id)","started":""#))
        #expect(history.lines[0].contains(#""command":"pmctl --json status a1 b2 c3"#))
        #expect(history.lines[0].hasSuffix(#""counts":{"ok":2,"failed":0,"unreachable":0,"auth":0,"hostkey":0,"timeout":0,"refused":1,"skipped":0},"unfinished":0}"#))
        #expect(!history.lines[0].contains(#""ended":null"#))

        let detail = try pmctl(["history", id, "--json"], lab: lab, state: state)
        #expect(detail.lines.count == 4)
        #expect(detail.lines[1].hasPrefix(#"{"host":"b2","action":"status","outcome":"refused""#))
        let human = try pmctl(["history", id], lab: lab, state: state)
        #expect(human.stdout.contains("b2  refused"), "\(human.stdout)")
    }

    @Test func killMinus9MidFanOutLeavesFinishedHostsAndTheRestUnfinishedThenRetryCompletesThem() throws {
        let lab = try AgentLab()
        let state = try TemporaryDirectory()
        defer { state.remove() }
        let hosts = (1...12).map { String(format: "n%02d", $0) }
        try lab.setMode("slow", for: hosts)   // each answers after 1 s
        // Two at a time: 6 s in all. Killed after about 2.5 s: some done, some in flight, most not started.
        try pmctlKilled(after: 2.5, ["--json", "--fanout", "2", "--yes", "status"] + hosts, lab: lab, state: state)

        // Read the database directly, as another process would after the crash.
        let database = try JournalDatabase(stateDirectory: state.path)
        let rows = try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, outcome FROM host ORDER BY position")
        }
        let finished = rows.filter { ($0["outcome"] as String?) == "ok" }.map { $0["name"] as String }
        let unfinished = rows.filter { ($0["outcome"] as String?) == nil }.map { $0["name"] as String }
        #expect(rows.count == 12)
        #expect((2...6).contains(finished.count), "finished: \(finished)")
        #expect(finished.count + unfinished.count == 12)
        // Every host the journal says finished did answer its agent; none is lost.
        for host in finished { #expect(lab.requests(host) == ["REQ r1 ping"], "\(host)") }

        let history = try pmctl(["history", "--json"], lab: lab, state: state)
        #expect(history.lines.first?.contains(#""ended":null"#) == true)
        #expect(history.lines.first?.contains(#""unfinished":\#(unfinished.count)}"#) == true, "\(history.stdout)")
        let id = try #require(history.lines.first.flatMap { line in
            line.range(of: #"{"run":""#).map { String(line[$0.upperBound...].prefix { $0 != "\"" }) }
        })

        try lab.setMode("ok", for: hosts)
        let retry = try pmctl(["--json", "--yes", "retry", id, "--failed"], lab: lab, state: state)
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(retry.lines.count == unfinished.count + 1)
        // Hosts that had finished were not asked again; the rest were asked once more.
        for host in finished { #expect(lab.requests(host).count == 1, "\(host) was retried though it had ended ok") }
        for host in unfinished { #expect(lab.requests(host).last == "REQ r1 ping", "\(host)") }
        // Retrying again looks at the first retry too: every host ended ok in one of them.
        let again = try pmctl(["retry", id], lab: lab, state: state)
        #expect(again.status == 0)
        #expect(again.stderr.contains("every host of run \(id) ended ok; nothing to retry"), "\(again.stderr)")
        for host in hosts { #expect(lab.requests(host).count <= 2, "\(host) was asked again after it ended ok: \(lab.requests(host))") }
    }

    /// A cancel killed while some hosts have its request but have not answered: those are
    /// in doubt (journaled as sent, no outcome), and retry leaves them alone unless told.
    @Test func killMinus9MidCancelLeavesHostsThatGotTheRequestInDoubtAndRetryDoesNotResendThem() throws {
        let lab = try AgentLab()
        let state = try TemporaryDirectory()
        defer { state.remove() }
        let hosts = (1...8).map { String(format: "n%02d", $0) }
        try lab.setMode("slow", for: hosts)   // each records the request, then answers 1 s later
        // Two at a time, killed after about 1.5 s: two done, two holding their request.
        try pmctlKilled(after: 1.5, ["--json", "--fanout", "2", "--yes", "cancel", "--method", "reboot"] + hosts, lab: lab, state: state)
        Thread.sleep(forTimeInterval: 1.2)   // the killed run's agents finish what they got

        func cancels(_ host: String) -> Int { lab.requests(host).filter { $0.contains(" cancel ") }.count }
        let reader = JournalReader(database: try JournalDatabase(stateDirectory: state.path))
        let id = try #require(try reader.runs(last: 1).first?.id)
        let (_, results) = try #require(try reader.run(id))
        let inDoubt = try reader.hostsInDoubt(id)
        let done = results.filter { $0.outcome == .ok }.map(\.host)
        #expect(!inDoubt.isEmpty, "the kill came while hosts held their request")
        // Every host that got the request is journaled as done or in doubt; none as untouched.
        for host in hosts where cancels(host) > 0 {
            #expect(done.contains(host) || inDoubt.contains(host), "\(host) got the cancel but the journal says it was never sent")
        }
        for host in inDoubt {
            #expect(results.first { $0.host == host }?.message.contains("may have acted") == true)
        }

        try lab.setMode("ok", for: hosts)
        let retry = try pmctl(["--json", "--yes", "retry", id, "--failed"], lab: lab, state: state)
        #expect(retry.status == 1, "hosts in doubt were left out, so not every host is done: \(retry.stderr)")
        #expect(retry.stderr.contains("not resent to \(inDoubt.count) host(s) in doubt"), "\(retry.stderr)")
        let retried = retry.lines.compactMap { line in
            line.range(of: #"{"host":""#).map { String(line[$0.upperBound...].prefix { $0 != "\"" }) }
        }
        #expect(Set(retried) == Set(hosts).subtracting(done).subtracting(inDoubt))
        // No host got the cancel twice; every host not in doubt got it exactly once.
        // (The fake agent records the request before it sleeps, so each host in doubt has it.)
        for host in hosts { #expect(cancels(host) == 1, "\(host): \(lab.requests(host))") }

        // The operator checked them and forces the resend, as the first retry's note says:
        // only the hosts in doubt get it again, not those the first retry finished.
        let forced = try pmctl(["--json", "--yes", "retry", id, "--resend-unknown"], lab: lab, state: state)
        #expect(forced.status == 0, "\(forced.stderr)")
        for host in inDoubt { #expect(cancels(host) == 2, "\(host)") }
        for host in hosts where !inDoubt.contains(host) { #expect(cancels(host) == 1, "\(host) ended ok in the first retry, yet was sent it again") }
        // Retrying the retry is retrying the same family: nothing is left.
        let forcedID = try #require(runID(forced))
        let last = try pmctl(["retry", forcedID, "--resend-unknown"], lab: lab, state: state)
        #expect(last.status == 0 && last.stderr.contains("nothing to retry"), "\(last.stderr)")
        for host in hosts { #expect(cancels(host) == (inDoubt.contains(host) ? 2 : 1), "\(host)") }
    }

    /// A cancel that went out and got no answer in time (`timeout`) may have acted, like one
    /// cut off by a crash; one the agent answered with ERR did not, and is resent.
    @Test func aCancelThatTimedOutAfterGoingOutIsInDoubtButOneAnsweredWithAnErrorIsResent() throws {
        let lab = try AgentLab()
        let state = try TemporaryDirectory()
        defer { state.remove() }
        try lab.setMode("mute", for: ["n01"])
        try lab.setMode("refuse", for: ["n02"])
        let run = try pmctl(["--json", "--timeout", "1", "cancel", "--method", "reboot", "n01", "n02"], lab: lab, state: state)
        #expect(run.status == 1)
        #expect(run.stdout.contains(#"{"host":"n01","action":"cancel","outcome":"timeout""#), "\(run.stdout)")
        #expect(run.stdout.contains(#"{"host":"n02","action":"cancel","outcome":"refused""#), "\(run.stdout)")
        let id = try #require(runID(run))

        try lab.setMode("ok", for: ["n01", "n02"])
        let retry = try pmctl(["--json", "retry", id], lab: lab, state: state)
        #expect(retry.status == 1, "\(retry.stderr)")
        #expect(retry.stderr.contains("not resent to 1 host(s) in doubt: n01"), "\(retry.stderr)")
        func cancels(_ host: String) -> Int { lab.requests(host).filter { $0.contains(" cancel ") }.count }
        #expect(cancels("n01") == 1, "\(lab.requests("n01"))")
        #expect(cancels("n02") == 2, "\(lab.requests("n02"))")
    }

    /// A reboot with SELF that the agent accepted but that was not confirmed (same boot id)
    /// ends failed, and may still happen: a plain retry must not reboot the host again.
    @Test func anAcceptedButUnconfirmedRebootIsNotResentByRetry() throws {
        let lab = try AgentLab()
        let state = try TemporaryDirectory()
        defer { state.remove() }
        try lab.setMode("sticky", for: ["n01"])
        let run = try pmctl(["--json", "--confirm-timeout", "1", "cancel", "--method", "reboot", "--self", "--delay", "0", "n01"],
                            lab: lab, state: state)
        #expect(run.status == 1)
        #expect(run.stdout.contains(#""outcome":"failed""#) && run.stdout.contains("reboot-accepted"), "\(run.stdout)")
        let id = try #require(runID(run))
        let retry = try pmctl(["retry", id], lab: lab, state: state)
        #expect(retry.status == 1)
        #expect(retry.stderr.contains("not resent to 1 host(s) in doubt: n01"), "\(retry.stderr)")
        #expect(lab.requests("n01").filter { $0.contains(" cancel ") }.count == 1, "\(lab.requests("n01"))")
    }

    /// While the run's pmctl is still going (it holds the run's lock), retry refuses:
    /// otherwise it would send again to hosts whose results are still coming.
    @Test func retryRefusesWhileTheRunIsStillGoing() throws {
        let lab = try AgentLab()
        let state = try TemporaryDirectory()
        defer { state.remove() }
        let hosts = ["n01", "n02", "n03", "n04"]
        try lab.setMode("slow", for: hosts)
        let process = Process()
        process.executableURL = Repository.executable("pmctl")
        process.arguments = ["--fanout", "1", "status"] + hosts + ["--state", state.path, "--agent-process", "/bin/sh", "--agent-arg", lab.script.path,
                                                                   "--agent-arg", lab.directory.path, "--agent-arg", "{host}"]
        process.environment = ["HOME": "/nonexistent", "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) }; process.waitUntilExit() }
        var id: String?
        for _ in 0..<50 where id == nil {
            Thread.sleep(forTimeInterval: 0.1)
            id = try? JournalReader(database: JournalDatabase(stateDirectory: state.path)).runs(last: 1).first?.id
        }
        let running = try #require(id)
        let refused = try pmctl(["retry", running], lab: lab, state: state)
        #expect(process.isRunning, "the run must still be going for this test to mean anything")
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("still going"), "\(refused.stderr)")
        process.waitUntilExit()
        for host in hosts { #expect(lab.requests(host).count == 1, "\(host): \(lab.requests(host))") }
        let after = try pmctl(["retry", running], lab: lab, state: state)
        #expect(after.status == 0 && after.stderr.contains("nothing to retry"), "\(after.stderr)")
    }

    /// A cancel is not run without a journal (a crash could then lead to sending it twice);
    /// a query still is.
    @Test func aCancelIsRefusedWhenTheJournalCannotBeOpened() throws {
        let lab = try AgentLab()
        let state = try TemporaryDirectory()
        defer { state.remove() }
        try state.write("not-a-folder", "")
        let noState = state.file("not-a-folder") + "/state"
        let cancel = try pmctl(["cancel", "--method", "reboot", "n01"], lab: lab, statePath: noState)
        #expect(cancel.status == 2, "\(cancel.stderr)")
        #expect(cancel.stderr.contains("not run without its journal"), "\(cancel.stderr)")
        #expect(lab.requests("n01").isEmpty)
        let status = try pmctl(["status", "n01"], lab: lab, statePath: noState)
        #expect(status.status == 0, "\(status.stderr)")
    }

    /// When the journal cannot record that a cancel is going out, it does not go out.
    @Test func aCancelWhoseSendingCannotBeJournaledIsNotSent() async throws {
        let lab = try AgentLab()
        let state = try TemporaryDirectory()
        defer { state.remove() }
        let database = try JournalDatabase(stateDirectory: state.path)
        // A real SQLite failure on exactly that write, as a full disk would give.
        try await database.pool.write { db in
            try db.execute(sql: "CREATE TRIGGER full_disk BEFORE UPDATE OF sent ON host BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
        }
        var arguments = PMProtocol.CancelArguments()
        arguments.method = .reboot
        let plan = ActionPlan.cancel(arguments)
        let resolver = TargetResolver(inventory: .empty)
        let runner = Runner(plan: plan, inventory: .empty, resolver: resolver, connector: lab.connector,
                            settings: WorkerSettings(connectTimeout: 5, actionTimeout: 5))
        let report = await runner.run(hosts: [resolver.host("n01")], handlers: [SQLiteJournal(database: database, plan: plan)])
        let result = try #require(report.results.first)
        #expect(result.outcome == .failed)
        #expect(result.message.contains("not sent"), "\(result.message)")
        #expect(!lab.requests("n01").contains { $0.contains(" cancel ") }, "\(lab.requests("n01"))")
    }

    @Test func retryOfAnUnknownRunIsAClearError() throws {
        let lab = try AgentLab()
        let state = try TemporaryDirectory()
        defer { state.remove() }
        let run = try pmctl(["retry", "no-such-run"], lab: lab, state: state)
        #expect(run.status == 2)
        #expect(run.stderr.contains("no run 'no-such-run' in the journal"))
    }

    @Test func thePlanSurvivesTheJournalForm() throws {
        var cancel = PMProtocol.CancelArguments()
        cancel.method = .initLevel(0)
        cancel.wol = true
        cancel.label = "tst 100"
        for plan in [ActionPlan.status, .check, .info, .cancel(cancel), .ipmi(.cycle, label: "x")] {
            #expect(try ActionPlan(journalForm: plan.journalForm) == plan)
        }
        #expect(throws: PlanError.self) { try ActionPlan(journalForm: "explode now") }
        let settings = RunSettings(ipmiFallback: true, bmcInterval: 0.2)
        #expect(RunSettings(journalForm: settings.journalForm) == settings)
        #expect(RunSettings(journalForm: "") == RunSettings())
    }
}
