import ArgumentParser
import PMProtocol

/// `--path TOOL=PATH`: where a tool lives on the managed hosts, for the sudoers rules
/// (`agent sudoers` and `agent install` take it alike).
struct SudoersToolPaths: ParsableArguments {
    @Option(name: .customLong("path"), help: ArgumentHelp("A tool's path on the hosts, as TOOL=/abs/path (repeatable).", valueName: "tool=path"))
    var paths: [String] = []

    func table() throws -> [String: String] {
        var table: [String: String] = [:]
        let tools = AgentPrivileges.rules.map(\.tool)
        for entry in paths {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, tools.contains(parts[0]) else {
                throw ValidationError("--path '\(entry)' must be TOOL=PATH with TOOL one of \(tools.joined(separator: ", "))")
            }
            let path = parts[1]
            guard path.hasPrefix("/"), !path.contains(".."),
                  path.allSatisfy({ $0.isLetter || $0.isNumber || "/_.-+".contains($0) }) else {
                throw ValidationError("--path for \(parts[0]): '\(path)' must be an absolute path of letters, digits and / _ . - +")
            }
            table[parts[0]] = path
        }
        return table
    }
}
