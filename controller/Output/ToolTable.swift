import Foundation
import PMProtocol

/// `pmctl check` for people: one row per tool, one column per host saying whether the
/// agent may run it there (`root`, `sudo`, `user`, `no`, `missing`), and the tool's path
/// when every host has it in the same place.
struct ToolTable {
    let hosts: [String]
    let tools: [String]
    private let cells: [String: [String: (path: String, allowed: String)]]

    init(_ records: [(host: String, records: [Fields])]) {
        hosts = records.map(\.host).sorted()
        var tools: [String] = []
        var cells: [String: [String: (path: String, allowed: String)]] = [:]
        for (host, list) in records {
            for record in list {
                guard let tool = record.text("name") else { continue }
                if !tools.contains(tool) { tools.append(tool) }
                cells[tool, default: [:]][host] = (record.text("path") ?? "-", record.text("allowed") ?? "?")
            }
        }
        self.tools = tools
        self.cells = cells
    }

    var text: String {
        var rows = [["TOOL", "PATH"] + hosts]
        for tool in tools {
            let paths = Set(hosts.compactMap { cells[tool]?[$0]?.path }.filter { $0 != "-" })
            let path = paths.count == 1 ? paths.first! : paths.isEmpty ? "-" : "(differs)"
            rows.append([tool, path] + hosts.map { cells[tool]?[$0]?.allowed ?? "?" })
        }
        return TextTable.align(rows)
    }
}
