/// The node-set algebra of ClusterShell, the small part pmctl needs: expand a pattern
/// (`node[01-64]`, `web[1-3,7]`, `rack[1-2]-n[01-04]`) into names, and fold names back into
/// the shortest pattern list for summaries (`node[01-03,07]`).
public enum NodeSet {
    /// More names than this from one pattern is almost surely a typo (`node[1-1000000]`).
    public static let maximumCount = 100_000

    /// Expands one pattern; commas outside brackets separate patterns
    /// (`node[1-2],web1`). Names without brackets come back as they are. Order is kept,
    /// the first bracket varying slowest; padding is kept (`[01-10]` gives `01` ... `10`).
    public static func expand(_ pattern: String) throws(NodeSetError) -> [String] {
        var names: [String] = []
        for part in try splitTopLevel(pattern) {
            let expanded = try expandOne(part, whole: pattern)
            guard names.count + expanded.count <= maximumCount else {
                throw NodeSetError(pattern: pattern, "expands to more than \(maximumCount) names")
            }
            names += expanded
        }
        return names
    }

    /// Whether `text` uses node-set syntax at all (brackets or a top-level comma).
    public static func isPattern(_ text: String) -> Bool {
        text.contains("[") || text.contains("]") || text.contains(",")
    }

    /// Folds names into node-set patterns: names that differ only in their last number
    /// share one bracket (`node01 node02 node03 node07` → `node[01-03,07]`). Duplicates are
    /// dropped; patterns come in the order their first name came.
    public static func fold(_ names: [String]) -> [String] {
        struct Key: Hashable { var prefix: String; var suffix: String; var width: Int }
        var order: [Key] = []
        var numbers: [Key: Set<Int>] = [:]
        var plain: [(Int, String)] = []
        var seenPlain: Set<String> = []
        // Padded names (leading zero) fix the width of their group; a number of the same
        // length without a leading zero (`10` beside `01`) joins that padded group.
        var paddedWidths: [String: Set<Int>] = [:]
        let parsed = names.map(splitLastNumber)
        for case let (prefix, digits, suffix)? in parsed where digits.count > 1 && digits.first == "0" {
            paddedWidths[prefix + "\u{0}" + suffix, default: []].insert(digits.count)
        }
        for (index, name) in names.enumerated() {
            guard let (prefix, digits, suffix) = parsed[index], let value = Int(digits) else {
                if seenPlain.insert(name).inserted { plain.append((index, name)) }
                continue
            }
            let padded = paddedWidths[prefix + "\u{0}" + suffix]?.contains(digits.count) ?? false
            let key = Key(prefix: prefix, suffix: suffix, width: padded ? digits.count : 0)
            if numbers[key] == nil {
                order.append(key)
                plain.append((index, ""))  // placeholder keeps the group's place among plain names
            }
            numbers[key, default: []].insert(value)
        }
        var groupIndex = 0
        var result: [String] = []
        for (_, name) in plain {
            if !name.isEmpty {
                result.append(name)
                continue
            }
            let key = order[groupIndex]
            groupIndex += 1
            let values = numbers[key, default: []].sorted()
            func format(_ value: Int) -> String {
                let text = String(value)
                return text.count < key.width ? String(repeating: "0", count: key.width - text.count) + text : text
            }
            if values.count == 1 {
                result.append(key.prefix + format(values[0]) + key.suffix)
                continue
            }
            var ranges: [String] = []
            var start = values[0]
            var previous = values[0]
            for value in values.dropFirst() + [Int.min] {
                if value == previous + 1 {
                    previous = value
                    continue
                }
                ranges.append(start == previous ? format(start) : "\(format(start))-\(format(previous))")
                start = value
                previous = value
            }
            result.append("\(key.prefix)[\(ranges.joined(separator: ","))]\(key.suffix)")
        }
        return result
    }

    /// One line for summaries: the folded patterns separated by commas.
    public static func summary(_ names: [String]) -> String { fold(names).joined(separator: ",") }

    // MARK: - Expansion

    private static func splitTopLevel(_ pattern: String) throws(NodeSetError) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in pattern {
            switch character {
            case "[":
                guard depth == 0 else { throw NodeSetError(pattern: pattern, "brackets cannot nest") }
                depth = 1
                current.append(character)
            case "]":
                guard depth == 1 else { throw NodeSetError(pattern: pattern, "']' without an opening '['") }
                depth = 0
                current.append(character)
            case "," where depth == 0:
                guard !current.isEmpty else { throw NodeSetError(pattern: pattern, "empty name between commas") }
                parts.append(current)
                current = ""
            default:
                current.append(character)
            }
        }
        guard depth == 0 else { throw NodeSetError(pattern: pattern, "'[' is never closed") }
        guard !current.isEmpty else {
            throw NodeSetError(pattern: pattern, pattern.isEmpty ? "is empty" : "ends with a comma")
        }
        parts.append(current)
        return parts
    }

    /// Expands a pattern without top-level commas (brackets already known balanced).
    private static func expandOne(_ part: String, whole: String) throws(NodeSetError) -> [String] {
        var names = [""]
        var rest = Substring(part)
        while let open = rest.firstIndex(of: "[") {
            let literal = String(rest[..<open])
            guard let close = rest[open...].firstIndex(of: "]") else {
                throw NodeSetError(pattern: whole, "'[' is never closed")
            }
            let values = try expandRanges(String(rest[rest.index(after: open)..<close]), whole: whole)
            guard names.count * values.count <= maximumCount else {
                throw NodeSetError(pattern: whole, "expands to more than \(maximumCount) names")
            }
            names = names.flatMap { name in values.map { name + literal + $0 } }
            rest = rest[rest.index(after: close)...]
        }
        return names.map { $0 + rest }
    }

    /// `1-3,7` → `1 2 3 7`; `01-03` → `01 02 03`.
    private static func expandRanges(_ text: String, whole: String) throws(NodeSetError) -> [String] {
        guard !text.isEmpty else { throw NodeSetError(pattern: whole, "empty brackets '[]'") }
        var values: [String] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count),
                  bounds.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.allSatisfy { $0.isASCII && $0.isNumber } })
            else {
                throw NodeSetError(pattern: whole, "'\(item)' is not a number or a range like 1-9")
            }
            let first = String(bounds[0])
            let last = String(bounds[bounds.count - 1])
            guard let low = Int(first), let high = Int(last) else {
                throw NodeSetError(pattern: whole, "'\(item)' is not a number or a range like 1-9")
            }
            guard low <= high else {
                throw NodeSetError(pattern: whole, "range '\(item)' is reversed; write \(last)-\(first)")
            }
            guard high - low + 1 + values.count <= maximumCount else {
                throw NodeSetError(pattern: whole, "expands to more than \(maximumCount) names")
            }
            let width = first.count > 1 && first.hasPrefix("0") ? first.count : 0
            for value in low...high {
                let digits = String(value)
                values.append(digits.count < width ? String(repeating: "0", count: width - digits.count) + digits : digits)
            }
        }
        return values
    }

    /// A name split around its last run of digits: `node07a` → (`node`, `07`, `a`).
    private static func splitLastNumber(_ name: String) -> (String, String, String)? {
        let characters = Array(name)
        guard let end = characters.lastIndex(where: { $0.isASCII && $0.isNumber }) else { return nil }
        var start = end
        while start > 0, characters[start - 1].isASCII, characters[start - 1].isNumber { start -= 1 }
        let digits = String(characters[start...end])
        guard digits.count <= 9 else { return nil }
        return (String(characters[..<start]), digits, String(characters[(end + 1)...]))
    }
}
