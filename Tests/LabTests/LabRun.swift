import Foundation
import Testing
import TestSupport

/// A fresh lab for one test: up before, down after, and nothing left behind.
func withLab(hosts: Int = 4, prefix: String = "pmt", _ body: (Lab) throws -> Void) throws {
    let lab = try Lab(hosts: hosts, prefix: prefix)
    defer {
        do { try lab.down() } catch { Issue.record("lab down: \(error)") }
        #expect(lab.leftovers().isEmpty, "left behind: \(lab.leftovers())")
    }
    try body(lab)
}

/// One `--json` result line, parsed.
struct ResultLine: CustomStringConvertible {
    let object: [String: Any]
    var host: String { object["host"] as? String ?? "" }
    var outcome: String { object["outcome"] as? String ?? "" }
    var message: String { object["message"] as? String ?? "" }
    var via: String? { object["via"] as? String }
    var elapsedMilliseconds: Int { object["elapsed_ms"] as? Int ?? 0 }
    var steps: [[String: String]] {
        (object["steps"] as? [[String: Any]] ?? []).map { $0.mapValues { "\($0)" } }
    }
    /// `step name result` for each step, in order.
    var stepTriples: [String] { steps.map { "\($0["step"] ?? "") \($0["name"] ?? "") \($0["result"] ?? "")" } }
    var description: String { String(describing: object) }

    func step(_ kind: String, _ name: String) -> [String: String]? {
        steps.first { $0["step"] == kind && $0["name"] == name }
    }
}

extension ProgramRun {
    /// The per-host result lines of a `--json` run (the summary line left out). Every line
    /// of the run's stdout is checked against controller/examples/result.schema.json on
    /// the way, so each lab test that reads JSON also shows its lines are as documented.
    var results: [ResultLine] {
        do {
            for violation in try JSONSchema.results().violations(ofLines: stdout) {
                Issue.record("not as result.schema.json says: \(violation)")
            }
        } catch {
            Issue.record("result.schema.json: \(error)")
        }
        return parsedResults
    }

    private var parsedResults: [ResultLine] {
        lines.compactMap { line in
            guard let data = line.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  object["host"] != nil else { return nil }
            return ResultLine(object: object)
        }
    }

    func result(_ host: String) -> ResultLine? { results.first { $0.host == host } }

    /// The counts of the closing `{"summary":{...},"run":...}` line of a `--json` run.
    var summary: [String: Int] {
        for line in lines.reversed() {
            if let data = line.data(using: .utf8),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let counts = object["summary"] as? [String: Int] { return counts }
        }
        return [:]
    }

    /// The run id of the closing summary line.
    var runID: String? {
        for line in lines.reversed() {
            if let data = line.data(using: .utf8),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               object["summary"] != nil { return object["run"] as? String }
        }
        return nil
    }
}
