import GRDB

/// Which hosts `pmctl retry RUN` sends the plan to again. A retry is journaled as a run of
/// its own with `retry_of` naming the first run of the family, so retrying twice, or
/// retrying a retry, looks at every earlier attempt: a host that ended ok in any of them
/// is never sent it again, and a host is in doubt while its last attempt that sent the
/// request is in doubt (a later attempt that was never sent to it changes nothing).
public struct RetrySelection: Equatable, Sendable {
    /// The first run of the family: what the retry is journaled as retrying.
    public var original: String
    /// The hosts to send it to, in the original run's order.
    public var targets: [String]
    /// The hosts left out because they may have acted (empty with `resendUnknown`).
    public var inDoubt: [String]
    /// The hosts left out because they ended ok in some attempt.
    public var done: [String]
}

extension JournalReader {
    /// The selection for retrying run `id` (the original or any retry of it); nil when
    /// there is no such run. With `resendUnknown`, hosts in doubt are targets too.
    public func retrySelection(_ id: String, resendUnknown: Bool) throws -> RetrySelection? {
        try database.pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, retry_of FROM run WHERE id = ?", arguments: [id]) else { return nil }
            let original: String = (row["retry_of"] as String?) ?? row["id"]
            let attempts = try Row.fetchAll(db, sql: """
                SELECT h.name, h.outcome, h.sent IS NOT NULL AS sent, (\(Self.inDoubtCondition)) AS doubt
                FROM host h JOIN run r ON r.id = h.run
                WHERE r.id = ? OR r.retry_of = ?
                ORDER BY r.started, r.rowid
                """, arguments: [original, original])
            var ok: Set<String> = []
            var doubt: [String: Bool] = [:]
            for attempt in attempts {
                let name: String = attempt["name"]
                if (attempt["outcome"] as String?) == Outcome.ok.rawValue { ok.insert(name) }
                if attempt["sent"] as Bool { doubt[name] = attempt["doubt"] as Bool }
            }
            let hosts = try String.fetchAll(db, sql: "SELECT name FROM host WHERE run = ? ORDER BY position", arguments: [original])
            var selection = RetrySelection(original: original, targets: [], inDoubt: [], done: [])
            for host in hosts {
                if ok.contains(host) {
                    selection.done.append(host)
                } else if doubt[host] == true && !resendUnknown {
                    selection.inDoubt.append(host)
                } else {
                    selection.targets.append(host)
                }
            }
            return selection
        }
    }
}
