import Foundation
import GRDB

/// The SQLite file under the state folder (`journal.sqlite`) that holds every run, each
/// host's steps and outcome, and the facts learned about hosts. WAL mode, one committed
/// transaction per event: a crash, `kill -9` or Ctrl-C mid fan-out loses only what had
/// not happened yet.
public final class JournalDatabase: Sendable {
    let pool: DatabasePool
    public let path: String

    public init(stateDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        path = stateDirectory + "/journal.sqlite"
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE run (
                    id TEXT PRIMARY KEY,
                    action TEXT NOT NULL,
                    plan TEXT NOT NULL,          -- ActionPlan.journalForm: what retry runs again
                    command TEXT NOT NULL,
                    started TEXT NOT NULL,       -- ISO-8601, UTC
                    ended TEXT,                  -- NULL until the run finished
                    interrupted INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE host (
                    run TEXT NOT NULL REFERENCES run(id),
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    started TEXT,
                    ended TEXT,
                    outcome TEXT,                -- NULL: unfinished
                    elapsed_ms INTEGER,
                    message TEXT,
                    via TEXT,
                    PRIMARY KEY (run, name)
                );
                CREATE TABLE step (
                    run TEXT NOT NULL,
                    host TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    step TEXT NOT NULL,
                    name TEXT NOT NULL,
                    result TEXT NOT NULL,
                    extra TEXT NOT NULL,         -- the step's other fields, as protocol fields
                    PRIMARY KEY (run, host, seq)
                );
                CREATE TABLE fact (
                    host TEXT PRIMARY KEY,
                    macs TEXT,                   -- comma-separated
                    interfaces TEXT,             -- name=mac,... as learned from INFO
                    broadcast TEXT,
                    address TEXT,
                    boot TEXT,
                    updated TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: sent") { db in
            // When the first request that changes the machine went out (NULL: none did).
            try db.execute(sql: "ALTER TABLE host ADD COLUMN sent TEXT")
        }
        migrator.registerMigration("v3: replied, retry_of, settings") { db in
            // The final answer to the last request that went out: 'ok' (accepted), 'err'
            // (refused, nothing done), NULL (none came: in doubt). Reset with each `sent`.
            try db.execute(sql: "ALTER TABLE host ADD COLUMN replied TEXT")
            // The run a retry retried (always the first of the family), NULL for the first.
            try db.execute(sql: "ALTER TABLE run ADD COLUMN retry_of TEXT")
            // Options outside the plan that a retry repeats (`ipmi-fallback=yes bmc-interval=5`).
            try db.execute(sql: "ALTER TABLE run ADD COLUMN settings TEXT NOT NULL DEFAULT ''")
        }
        return migrator
    }

    /// `2026-11-25T15:52:07.123Z`.
    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
