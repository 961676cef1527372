import Foundation
import TestSupport

/// The commands of README.md's guide: every `pmctl ...` in a fenced block or table that
/// follows a `<!-- guide: commands -->` line. A block's lines may carry `# comments` and
/// several commands joined by `; `; a table's commands are its backquoted cells.
struct ReadmeGuide {
    static let marker = "<!-- guide: commands -->"

    struct Command: Hashable, CustomStringConvertible {
        /// As written in the README.
        var text: String
        /// The README's line it is on.
        var line: Int
        var description: String { "README.md:\(line): \(text)" }

        /// Shell words: blanks split, single and double quotes group and are removed.
        var words: [String] {
            var words: [String] = []
            var current: String?
            var quote: Character?
            for character in text {
                if let open = quote {
                    if character == open { quote = nil } else { current = (current ?? "") + String(character) }
                } else if character == "'" || character == "\"" {
                    quote = character
                    current = current ?? ""
                } else if character == " " {
                    if let word = current { words.append(word) }
                    current = nil
                } else {
                    current = (current ?? "") + String(character)
                }
            }
            if let word = current { words.append(word) }
            return words
        }
    }

    let commands: [Command]

    init(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var commands: [Command] = []
        var index = 0
        while index < lines.count {
            defer { index += 1 }
            guard lines[index].trimmingCharacters(in: .whitespaces) == Self.marker, index + 1 < lines.count else { continue }
            var next = index + 1
            if lines[next].hasPrefix("```") {
                next += 1
                while next < lines.count, !lines[next].hasPrefix("```") {
                    let code = lines[next].components(separatedBy: " # ").first ?? ""
                    for part in code.components(separatedBy: "; ") {
                        let command = part.trimmingCharacters(in: .whitespaces)
                        if command.hasPrefix("pmctl ") { commands.append(Command(text: command, line: next + 1)) }
                    }
                    next += 1
                }
            } else {
                while next < lines.count, lines[next].hasPrefix("|") {
                    let cells = lines[next].components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
                    for cell in cells where cell.hasPrefix("pmctl ") { commands.append(Command(text: cell, line: next + 1)) }
                    next += 1
                }
            }
            index = next
        }
        self.commands = commands
    }

    static func load() throws -> ReadmeGuide {
        ReadmeGuide(text: try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8))
    }
}
