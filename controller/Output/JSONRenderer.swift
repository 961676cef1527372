import PMProtocol

/// The `--json` stream (CONTRACT.md, "Results"): one object per host as it finishes, then
/// `{"summary":{...},"run":"RUN-ID"}`. Keys in the contract's order; additions after.
public final class JSONRenderer: EventHandler {
    private let sink: any TextSink

    public init(sink: any TextSink) {
        self.sink = sink
    }

    public func handle(_ event: HostEvent) {
        guard case .finished(let result) = event else { return }
        sink.write(Self.line(for: result) + "\n")
    }

    public func runFinished(_ report: RunReport) {
        sink.write(Self.summaryLine(for: report) + "\n")
    }

    public static func line(for result: HostResult) -> String {
        var pairs: [(String, String)] = [
            ("host", JSONText.string(result.host)),
            ("action", JSONText.string(result.action)),
            ("outcome", JSONText.string(result.outcome.rawValue)),
            ("elapsed_ms", String(result.elapsedMilliseconds)),
            ("steps", JSONText.array(result.steps.map(step))),
            ("message", JSONText.string(result.message)),
        ]
        if let via = result.via { pairs.append(("via", JSONText.string(via))) }
        if !result.facts.isEmpty { pairs.append(("facts", JSONText.fields(result.facts))) }
        if !result.records.isEmpty { pairs.append(("records", JSONText.array(result.records.map(JSONText.fields)))) }
        return JSONText.object(pairs)
    }

    static func step(_ step: Step) -> String {
        var pairs: [(String, String)] = [
            ("step", JSONText.string(step.step)), ("name", JSONText.string(step.name)), ("result", JSONText.string(step.result)),
        ]
        pairs += step.extra.map { ($0.key, JSONText.value(key: $0.key, $0.value)) }
        return JSONText.object(pairs)
    }

    public static func summaryLine(for report: RunReport) -> String {
        var pairs: [(String, String)] = [
            ("summary", JSONText.object(report.counts.map { ($0.0.rawValue, String($0.1)) })),
            ("run", JSONText.string(report.info.runID)),
        ]
        if report.interrupted { pairs.append(("interrupted", "true")) }
        return JSONText.object(pairs)
    }
}
