import Foundation

extension JSONSchema {
    /// `controller/examples/result.schema.json`: every line `pmctl --json` writes.
    public static var resultsFile: URL { Repository.root.appendingPathComponent("controller/examples/result.schema.json") }

    public static func results() throws -> JSONSchema { try JSONSchema(contentsOf: resultsFile) }

    /// Every line of a program's stdout checked on its own (an empty line is a violation
    /// too); each problem names its line.
    public func violations(ofLines output: String) -> [String] {
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.enumerated().flatMap { index, line in
            violations(ofLine: String(line)).map { "line \(index + 1): \($0) in \(line)" }
        }
    }
}
