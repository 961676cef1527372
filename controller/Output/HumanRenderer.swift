import Foundation
import PMProtocol

/// Output for people: one aligned line per host as it finishes, a summary grouped by
/// outcome at the end, and on a terminal a live progress line on stderr
/// (done / not ok / in flight) that the result lines never tear.
public final class HumanRenderer: EventHandler {
    private let out: any TextSink
    private let err: any TextSink
    private let style: TerminalStyle
    private var nameWidth = 0
    private var total = 0
    private var running: Set<String> = []
    private var done = 0
    private var notOK = 0
    /// How many characters the progress line on stderr has now (0: none shown).
    private var progressWidth = 0
    /// CHECK's tool records per host, shown as one tools × hosts table at the end.
    private var toolRecords: [(host: String, records: [Fields])] = []

    public init(out: any TextSink, err: any TextSink, style: TerminalStyle) {
        self.out = out
        self.err = err
        self.style = style
    }

    public func runStarted(_ info: RunInfo) {
        nameWidth = info.hosts.map(\.count).max() ?? 0
        total = info.hosts.count
        drawProgress()
    }

    public func handle(_ event: HostEvent) {
        switch event {
        case .started(let host):
            running.insert(host)
            drawProgress()
        case .finished(let result):
            running.remove(result.host)
            done += 1
            if result.outcome != .ok && result.outcome != .skipped { notOK += 1 }
            clearProgress()
            out.write(line(for: result) + "\n")
            let tools = result.records.filter { $0.text("record") == "tool" }
            if !tools.isEmpty { toolRecords.append((result.host, tools)) }
            // Other query records (info's interfaces and guests) as indented key=value rows.
            for record in result.records where record.text("record") != "tool" {
                out.write("    " + record.filter { $0.key != "record" }.map { "\($0.key)=\(String(decoding: $0.value, as: UTF8.self))" }
                    .joined(separator: " ") + "\n")
            }
            drawProgress()
        case .connected, .greeted, .sending, .replied, .step, .data:
            break
        }
    }

    public func runFinished(_ report: RunReport) {
        clearProgress()
        if !toolRecords.isEmpty { out.write(ToolTable(toolRecords).text) }
        out.write(summary(for: report))
    }

    /// `lab01   ok         1.2s  vm tst100 shutdown, host lab01 poweroff-accepted`
    func line(for result: HostResult) -> String {
        let name = result.host.padding(toLength: max(nameWidth, result.host.count), withPad: " ", startingAt: 0)
        let outcomeWidth = Outcome.allCases.map(\.rawValue.count).max() ?? 0
        let outcome = style.paint(result.outcome.rawValue.padding(toLength: outcomeWidth, withPad: " ", startingAt: 0), result.outcome)
        let elapsed = String(format: "%6.1fs", Double(result.elapsedMilliseconds) / 1000)
        var detail = result.steps.map { step in
            var text = "\(step.step) \(step.name) \(step.result)"
            if let more = step.extra.text("detail") { text += " (\(more))" }
            return text
        }.joined(separator: ", ")
        if !result.message.isEmpty { detail += detail.isEmpty ? result.message : "; \(result.message)" }
        if let via = result.via { detail += " (via \(via))" }
        return "\(name)  \(outcome) \(elapsed)  \(detail)".trimmingCharacters(in: .whitespaces)
    }

    func summary(for report: RunReport) -> String {
        let summary = Summary(report.results)
        let width = summary.groups.map(\.outcome.rawValue.count).max() ?? 0
        let countWidth = summary.groups.map { String($0.count).count }.max() ?? 0
        var text = ""
        for group in summary.groups {
            let label = style.paint(group.outcome.rawValue.padding(toLength: width, withPad: " ", startingAt: 0), group.outcome)
            let count = String(repeating: " ", count: countWidth - String(group.count).count) + String(group.count)
            text += "\(label)  \(count)  \(group.hosts)\n"
        }
        let seconds = String(format: "%.1f", Double(report.elapsedMilliseconds) / 1000)
        let hosts = report.results.count == 1 ? "1 host" : "\(report.results.count) hosts"
        text += "\(report.info.action): \(hosts) in \(seconds) s, run \(report.info.runID)"
        if report.interrupted { text += " (interrupted: hosts not done are unfinished)" }
        return text + "\n"
    }

    /// The progress line is redrawn with a carriage return and overwritten with blanks,
    /// never with escape sequences: NO_COLOR and dumb terminals get no ESC at all.
    private func drawProgress() {
        guard style.progress, total > 0 else { return }
        let text = "[\(done)/\(total) done, \(notOK) not ok, \(running.count) in flight]"
        err.write("\r" + text + String(repeating: " ", count: max(0, progressWidth - text.count)))
        progressWidth = text.count
    }

    private func clearProgress() {
        guard progressWidth > 0 else { return }
        err.write("\r" + String(repeating: " ", count: progressWidth) + "\r")
        progressWidth = 0
    }
}
