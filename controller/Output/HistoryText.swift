import Foundation

/// `pmctl history` for people and for scripts (CONTRACT.md, "Results").
public enum HistoryText {
    /// `{"run":"RUN-ID","started":"...","ended":"... or null","command":"...","counts":{"ok":N,...},"unfinished":N}`
    public static func jsonLine(_ run: JournalReader.RunSummary) -> String {
        let counts = JSONText.object(Outcome.allCases.filter { $0 != .unfinished }.map { ($0.rawValue, String(run.counts[$0] ?? 0)) })
        return JSONText.object([
            ("run", JSONText.string(run.id)),
            ("started", JSONText.string(run.started)),
            ("ended", run.ended.map(JSONText.string) ?? "null"),
            ("command", JSONText.string(run.command)),
            ("counts", counts),
            ("unfinished", String(run.unfinished)),
        ]) + "\n"
    }

    /// One aligned line per run, newest first, with the outcomes that occurred.
    public static func table(_ runs: [JournalReader.RunSummary]) -> String {
        guard !runs.isEmpty else { return "no runs in the journal yet\n" }
        let rows = runs.map { run -> [String] in
            var outcomes = Outcome.allCases.compactMap { outcome in run.counts[outcome].map { "\(outcome.rawValue) \($0)" } }
            if run.unfinished > 0 { outcomes.append("unfinished \(run.unfinished)") }
            let state = run.ended == nil ? "running or crashed" : run.interrupted ? "interrupted" : "done"
            return [run.id, String(run.started.prefix(19)), run.action, state, outcomes.joined(separator: ", "), run.command]
        }
        return TextTable.align([["RUN", "STARTED (UTC)", "ACTION", "STATE", "HOSTS", "COMMAND"]] + rows)
    }

    /// One run's hosts: `host  outcome  steps  message`.
    public static func detail(_ run: JournalReader.RunSummary, hosts: [HostResult]) -> String {
        var text = "run \(run.id) (\(run.action)), started \(run.started), " + (run.ended.map { "ended \($0)" } ?? "never ended") + "\n"
        text += "command: \(run.command)\n"
        text += TextTable.align(hosts.map { host in
            [host.host, host.outcome.rawValue, host.steps.map { "\($0.step) \($0.name) \($0.result)" }.joined(separator: "; "), host.message]
        })
        return text
    }
}
