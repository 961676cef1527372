import Foundation

/// A JSON Schema (draft 2020-12) validator for the keywords this repository's schemas use,
/// and only those: a schema with any other keyword is refused when loaded, so no rule of
/// a schema can be silently skipped. `$ref` resolves JSON pointers within the document.
public struct JSONSchema: Sendable {
    public struct Unsupported: Error, CustomStringConvertible {
        public var description: String
    }

    /// Keywords that only annotate.
    static let annotations: Set<String> = ["$schema", "$id", "$comment", "$defs", "title", "description"]
    /// Keywords that constrain, each implemented in `check`.
    static let assertions: Set<String> = [
        "$ref", "type", "enum", "const", "pattern", "minLength", "minimum", "required", "properties",
        "additionalProperties", "items", "oneOf", "allOf", "not",
    ]

    public let root: JSONValue

    public init(_ root: JSONValue) throws(Unsupported) {
        self.root = root
        try vet(root, at: "#")
    }

    public init(contentsOf url: URL) throws {
        try self.init(try JSONValue.parse(String(contentsOf: url, encoding: .utf8)))
    }

    /// What is wrong with one line of text (not JSON, or not matching); empty when it matches.
    public func violations(ofLine line: String) -> [String] {
        guard let value = try? JSONValue.parse(line) else { return ["not a JSON value: \(line)"] }
        return violations(of: value)
    }

    public func violations(of value: JSONValue) -> [String] {
        var errors: [String] = []
        check(value, root, at: "$", into: &errors)
        return errors
    }

    // MARK: - Loading

    private func vet(_ schema: JSONValue, at path: String) throws(Unsupported) {
        if case .bool = schema { return }
        guard case .object(let keywords) = schema else { throw Unsupported(description: "\(path): a schema must be an object or a boolean") }
        for (keyword, value) in keywords {
            guard Self.annotations.contains(keyword) || Self.assertions.contains(keyword) else {
                throw Unsupported(description: "\(path): keyword '\(keyword)' is not implemented by this validator")
            }
            switch (keyword, value) {
            case ("$defs", .object(let schemas)), ("properties", .object(let schemas)):
                for (name, sub) in schemas { try vet(sub, at: "\(path)/\(keyword)/\(name)") }
            case ("items", _), ("additionalProperties", _), ("not", _):
                try vet(value, at: "\(path)/\(keyword)")
            case ("oneOf", .array(let schemas)), ("allOf", .array(let schemas)):
                for (index, sub) in schemas.enumerated() { try vet(sub, at: "\(path)/\(keyword)/\(index)") }
            case ("$ref", .string(let reference)):
                guard resolve(reference) != nil else { throw Unsupported(description: "\(path): $ref '\(reference)' does not resolve") }
            case ("pattern", .string(let pattern)):
                guard (try? NSRegularExpression(pattern: pattern)) != nil else { throw Unsupported(description: "\(path): bad pattern \(pattern)") }
            default:
                break
            }
        }
    }

    /// `#/$defs/name` style JSON pointers into this document.
    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node = root
        for token in reference.dropFirst().split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = node[key] else { return nil }
            node = next
        }
        return node
    }

    // MARK: - Checking

    private func check(_ value: JSONValue, _ schema: JSONValue, at path: String, into errors: inout [String]) {
        switch schema {
        case .bool(true): return
        case .bool(false): errors.append("\(path): not allowed here"); return
        case .object(let keywords):
            for (keyword, rule) in keywords.sorted(by: { $0.key < $1.key }) {
                apply(keyword, rule, keywords, to: value, at: path, into: &errors)
            }
        default: errors.append("\(path): the schema itself is malformed")
        }
    }

    private func apply(_ keyword: String, _ rule: JSONValue, _ keywords: [String: JSONValue], to value: JSONValue,
                       at path: String, into errors: inout [String]) {
        switch (keyword, rule, value) {
        case ("$ref", .string(let reference), _):
            if let target = resolve(reference) { check(value, target, at: path, into: &errors) }
        case ("type", .string(let name), _):
            if !Self.isOfType(value, name) { errors.append("\(path): \(value) is not of type \(name)") }
        case ("type", .array(let names), _):
            if !names.contains(where: { $0.text.map { Self.isOfType(value, $0) } ?? false }) {
                errors.append("\(path): \(value) is not of type \(names)")
            }
        case ("enum", .array(let allowed), _):
            if !allowed.contains(value) { errors.append("\(path): \(value) is not one of \(allowed)") }
        case ("const", _, _):
            if value != rule { errors.append("\(path): \(value) is not \(rule)") }
        case ("pattern", .string(let pattern), .string(let text)):
            let regex = try? NSRegularExpression(pattern: pattern)
            if regex?.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                errors.append("\(path): \(value) does not match \(pattern)")
            }
        case ("minLength", .integer(let length), .string(let text)):
            if text.unicodeScalars.count < length { errors.append("\(path): \(value) is shorter than \(length)") }
        case ("minimum", .integer(let minimum), .integer(let number)):
            if number < minimum { errors.append("\(path): \(number) is less than \(minimum)") }
        case ("minimum", .integer(let minimum), .number(let number)):
            if number < Double(minimum) { errors.append("\(path): \(number) is less than \(minimum)") }
        case ("required", .array(let names), .object(let fields)):
            for case .string(let name) in names where fields[name] == nil { errors.append("\(path): '\(name)' is missing") }
        case ("properties", .object(let schemas), .object(let fields)):
            for (name, sub) in schemas.sorted(by: { $0.key < $1.key }) {
                if let field = fields[name] { check(field, sub, at: "\(path).\(name)", into: &errors) }
            }
        case ("additionalProperties", _, .object(let fields)):
            var known: Set<String> = []
            if case .object(let schemas)? = keywords["properties"] { known = Set(schemas.keys) }
            for (name, field) in fields.sorted(by: { $0.key < $1.key }) where !known.contains(name) {
                if rule == .bool(false) {
                    errors.append("\(path): unexpected key '\(name)'")
                } else {
                    check(field, rule, at: "\(path).\(name)", into: &errors)
                }
            }
        case ("items", _, .array(let items)):
            for (index, item) in items.enumerated() { check(item, rule, at: "\(path)[\(index)]", into: &errors) }
        case ("allOf", .array(let schemas), _):
            for sub in schemas { check(value, sub, at: path, into: &errors) }
        case ("not", _, _):
            var inner: [String] = []
            check(value, rule, at: path, into: &inner)
            if inner.isEmpty { errors.append("\(path): \(value) matches a schema it must not match (\(rule))") }
        case ("oneOf", .array(let schemas), _):
            let outcomes = schemas.map { sub -> [String] in
                var inner: [String] = []
                check(value, sub, at: path, into: &inner)
                return inner
            }
            let matching = outcomes.filter(\.isEmpty).count
            if matching > 1 { errors.append("\(path): matches \(matching) alternatives of oneOf, not exactly one") }
            // None matched: the alternative that came closest says best what is wrong.
            if matching == 0, let closest = outcomes.min(by: { $0.count < $1.count }) { errors += closest }
        default:
            break  // an annotation, or a keyword that does not apply to this kind of value
        }
    }

    static func isOfType(_ value: JSONValue, _ name: String) -> Bool {
        switch (name, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .integer), ("number", .integer), ("number", .number),
             ("string", .string), ("array", .array), ("object", .object): true
        default: false
        }
    }
}
