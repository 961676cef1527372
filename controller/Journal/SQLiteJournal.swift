import Foundation
import GRDB
import PMProtocol

/// The journal as an event handler: the run and every host are written when the run
/// starts (outcome NULL, which reads as `unfinished`), then each host's steps, the moment
/// a request that changes the machine goes out (`sent`), and its result, as they happen,
/// each in its own committed transaction.
public final class SQLiteJournal: Journal, SendingRecorder, @unchecked Sendable {
    // Calls arrive one at a time (EventHub serializes them); `firstError` is only read
    // after the run.
    private let database: JournalDatabase
    /// What `pmctl retry` reads back (ActionPlan.journalForm; `install` for agent installs,
    /// which retry refuses to replay).
    private let journalForm: String
    /// The first run of the family this run retries, nil when it is no retry.
    private let retryOf: String?
    /// Options outside the plan that a retry repeats (`RunSettings`).
    private let settings: String
    private var runID = ""
    private var stepCounts: [String: Int] = [:]
    /// When each host's worker began, written with that host's next row update: a commit
    /// of its own would put one disk sync per host in front of every connection, and a
    /// start alone changes nothing a retry needs (the run's hosts are all written first).
    private var startTimes: [String: String] = [:]
    /// The first write that failed, if any; later events are still attempted.
    public private(set) var firstError: Error?
    /// Hosts whose last `sending` did not commit, and why: they must not be sent it.
    private var unrecorded: [String: String] = [:]

    public convenience init(database: JournalDatabase, plan: ActionPlan, retryOf: String? = nil, settings: RunSettings = RunSettings()) {
        self.init(database: database, journalForm: plan.journalForm, retryOf: retryOf, settings: settings)
    }

    public init(database: JournalDatabase, journalForm: String, retryOf: String? = nil, settings: RunSettings = RunSettings()) {
        self.database = database
        self.journalForm = journalForm
        self.retryOf = retryOf
        self.settings = settings.journalForm
    }

    public func unrecordedSending(of host: String) -> String? { unrecorded[host] }

    public func runStarted(_ info: RunInfo) {
        runID = info.runID
        write { db in
            try db.execute(sql: "INSERT INTO run (id, action, plan, command, started, retry_of, settings) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [info.runID, info.action, self.journalForm, info.command, JournalDatabase.timestamp(),
                                       self.retryOf, self.settings])
            for (position, name) in info.hosts.enumerated() {
                try db.execute(sql: "INSERT OR IGNORE INTO host (run, position, name) VALUES (?, ?, ?)",
                               arguments: [info.runID, position, name])
            }
        }
    }

    public func handle(_ event: HostEvent) {
        switch event {
        case .started(let host):
            startTimes[host] = JournalDatabase.timestamp()
        case .sending(let host, _):
            // `sent` is kept from the first request on; `replied` is cleared for the new one:
            // until its answer comes, the host may have acted.
            let started = startTimes[host]
            let recorded = write { db in
                try db.execute(sql: """
                    UPDATE host SET sent = COALESCE(sent, ?), replied = NULL, started = COALESCE(started, ?) WHERE run = ? AND name = ?
                    """, arguments: [JournalDatabase.timestamp(), started, self.runID, host])
                if db.changesCount != 1 { throw JournalWriteError.noHostRow(host) }
            }
            unrecorded[host] = recorded.map { "the journal could not record that the request is going out (\($0)); not sent, so a retry cannot send it twice" }
        case .replied(let host, _, let accepted):
            write { db in
                try db.execute(sql: "UPDATE host SET replied = ? WHERE run = ? AND name = ?",
                               arguments: [accepted ? "ok" : "err", self.runID, host])
            }
        case .step(let host, let step):
            let seq = stepCounts[host, default: 0]
            stepCounts[host] = seq + 1
            let extra = String(decoding: LineCodec.encode(.ok(id: "x", step.extra)).dropFirst(5).dropLast(), as: UTF8.self)
            write { db in
                try db.execute(sql: "INSERT INTO step (run, host, seq, step, name, result, extra) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               arguments: [self.runID, host, seq, step.step, step.name, step.result, extra])
            }
        case .finished(let result):
            // A host cut off by Ctrl-C keeps outcome NULL: its result never came.
            let outcome: String? = result.outcome == .unfinished ? nil : result.outcome.rawValue
            let started = startTimes[result.host]
            write { db in
                try db.execute(sql: """
                    UPDATE host SET ended = ?, outcome = ?, elapsed_ms = ?, message = ?, via = ?, started = COALESCE(started, ?)
                    WHERE run = ? AND name = ?
                    """, arguments: [JournalDatabase.timestamp(), outcome, result.elapsedMilliseconds, result.message,
                                     result.via, started, self.runID, result.host])
            }
        case .connected, .greeted, .data:
            break
        }
    }

    public func runFinished(_ report: RunReport) {
        write { db in
            try db.execute(sql: "UPDATE run SET ended = ?, interrupted = ? WHERE id = ?",
                           arguments: [JournalDatabase.timestamp(), report.interrupted, self.runID])
        }
    }

    /// Commits `body`; the error if it did not (also kept as `firstError`).
    @discardableResult
    private func write(_ body: @escaping (Database) throws -> Void) -> Error? {
        do {
            try database.pool.write(body)
            return nil
        } catch {
            if firstError == nil { firstError = error }
            return error
        }
    }
}
