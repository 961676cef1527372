import Foundation
import GRDB
import PMProtocol

/// Reads the journal back: `pmctl history` and `pmctl retry`.
public struct JournalReader: Sendable {
    let database: JournalDatabase

    public init(database: JournalDatabase) {
        self.database = database
    }

    /// One run, as `pmctl history` lists it.
    public struct RunSummary: Equatable, Sendable {
        public var id: String
        public var action: String
        public var plan: String
        public var command: String
        public var started: String
        public var ended: String?
        public var interrupted: Bool
        /// Hosts per outcome, for the outcomes that occur.
        public var counts: [Outcome: Int]
        /// Hosts whose result never came.
        public var unfinished: Int
        /// The first run of the family this run retried; nil when it is no retry.
        public var retryOf: String?
        /// The options a retry repeats.
        public var settings: RunSettings
    }

    /// The newest `last` runs, newest first.
    public func runs(last: Int) throws -> [RunSummary] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run ORDER BY started DESC, rowid DESC LIMIT ?", arguments: [last])
                .map { try summary($0, db) }
        }
    }

    /// One run and its hosts (in the order they were given), or nil if there is no such run.
    public func run(_ id: String) throws -> (RunSummary, [HostResult])? {
        try database.pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]) else { return nil }
            let run = try summary(row, db)
            let steps = try Row.fetchAll(db, sql: "SELECT * FROM step WHERE run = ? ORDER BY host, seq", arguments: [id])
            let inDoubt = Set(try String.fetchAll(db, sql: "SELECT name FROM host h WHERE run = ? AND \(Self.inDoubtCondition)", arguments: [id]))
            let hosts = try Row.fetchAll(db, sql: "SELECT * FROM host WHERE run = ? ORDER BY position", arguments: [id]).map { host in
                let name: String = host["name"]
                let hostSteps = steps.filter { ($0["host"] as String) == name }.map { step in
                    Step(step["step"], name: step["name"], result: step["result"], extra: Self.fields(step["extra"]))
                }
                let outcome = (host["outcome"] as String?).flatMap(Outcome.init(rawValue:)) ?? .unfinished
                var message: String = host["message"] ?? ""
                if inDoubt.contains(name) {
                    message = message.isEmpty ? Self.inDoubtNote : message + " (in doubt: \(Self.inDoubtNote))"
                }
                return HostResult(host: name, action: run.action, outcome: outcome, elapsedMilliseconds: host["elapsed_ms"] ?? 0,
                                  steps: hostSteps, message: message, via: host["via"])
            }
            return (run, hosts)
        }
    }

    /// The hosts of run `id` that are in doubt, in the order they were given: a request
    /// that changes the machine went out (`sent`), the host did not end ok, and it may have
    /// acted: no final answer came (`replied` NULL: a timeout, a link closed after sending,
    /// a crash or Ctrl-C), or its result was never journaled (outcome NULL), or the host's
    /// own action was accepted but not confirmed (a `host ...-accepted` step, from its agent
    /// or its BMC), or a BMC accepted a `pmctl ipmi` command that was not confirmed. `retry`
    /// leaves them out unless told to resend. A host whose request was answered ERR, or
    /// whose guests accepted theirs but whose own request never went out, is not in doubt.
    public func hostsInDoubt(_ id: String) throws -> [String] {
        try database.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM host h WHERE run = ? AND \(Self.inDoubtCondition) ORDER BY position",
                                arguments: [id])
        }
    }

    /// SQL over `host h`: the host of that row is in doubt (see `hostsInDoubt`).
    static let inDoubtCondition = """
        h.sent IS NOT NULL AND (h.outcome IS NULL OR h.outcome != 'ok')
        AND (h.replied IS NULL OR h.outcome IS NULL
             OR EXISTS (SELECT 1 FROM step s WHERE s.run = h.run AND s.host = h.name AND s.step = 'host' AND s.result LIKE '%-accepted')
             OR (h.replied = 'ok' AND (SELECT action FROM run r WHERE r.id = h.run) = 'ipmi'))
        """

    static let inDoubtNote = "the request went out and no answer came, or it was accepted but not confirmed: "
        + "the host may have acted; check it before sending again"

    private func summary(_ row: Row, _ db: Database) throws -> RunSummary {
        let id: String = row["id"]
        var counts: [Outcome: Int] = [:]
        var unfinished = 0
        for count in try Row.fetchAll(db, sql: "SELECT outcome, COUNT(*) AS n FROM host WHERE run = ? GROUP BY outcome", arguments: [id]) {
            if let outcome = (count["outcome"] as String?).flatMap(Outcome.init(rawValue:)) {
                counts[outcome] = count["n"]
            } else {
                unfinished += count["n"] as Int
            }
        }
        return RunSummary(id: id, action: row["action"], plan: row["plan"], command: row["command"], started: row["started"],
                          ended: row["ended"], interrupted: row["interrupted"], counts: counts, unfinished: unfinished,
                          retryOf: row["retry_of"], settings: RunSettings(journalForm: row["settings"] ?? ""))
    }

    static func fields(_ encoded: String) -> Fields {
        let line = "OK x" + (encoded.isEmpty ? "" : " " + encoded)
        return (try? LineCodec.decode(Array(line.utf8)))?.fields ?? Fields()
    }
}
