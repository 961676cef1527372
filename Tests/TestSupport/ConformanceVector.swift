import Foundation
import PMProtocol

/// One conformance vector from `protocol/vectors/*.txt` (format: PROTOCOL.md).
public struct ConformanceVector: Sendable, CustomStringConvertible {
    public enum Expectation: Sendable, Equatable {
        /// `= none`: the line is ignored.
        case ignored
        /// `= KIND id= word=` plus `+ key "value"` lines: the parse, built here without the codec.
        case message(Message)
        /// `= REQ ...` in requests.txt: the request's canonical line.
        case canonical(String)
        /// `! CODE [PROBLEM] [id=ID|-] [key=KEY]`.
        case error(code: String, problem: String?, id: String??, key: String?)
    }

    public var file: String
    public var line: Int
    public var input: [UInt8]
    public var expectation: Expectation

    public var description: String { "\(file):\(line)" }

    /// Every vector of `name` (`lines.txt`, `requests.txt`).
    public static func load(_ name: String) throws -> [ConformanceVector] {
        let url = Repository.vectors.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        return try parse(text, file: name)
    }

    public struct FormatError: Error, CustomStringConvertible {
        public var description: String
    }

    static func parse(_ text: String, file: String) throws -> [ConformanceVector] {
        var vectors: [ConformanceVector] = []
        var pendingInput: (line: Int, bytes: [UInt8])?
        var building: (header: Message, line: Int)?

        func flushMessage() {
            if let (message, _) = building, let input = pendingInput {
                vectors.append(ConformanceVector(file: file, line: input.line, input: input.bytes, expectation: .message(message)))
                pendingInput = nil
            }
            building = nil
        }

        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let line = String(rawLine)
            func fail(_ why: String) -> FormatError { FormatError(description: "\(file):\(number): \(why)") }

            if line.hasPrefix("+ ") {
                guard var message = building?.header else { throw fail("'+' without a preceding '= KIND' line") }
                let rest = line.dropFirst(2)
                guard let space = rest.firstIndex(of: " ") else { throw fail("'+ key \"value\"' expected") }
                let key = try unescape(String(rest[..<space]), quoted: false, fail)
                let value = try unescape(String(rest[rest.index(after: space)...]), quoted: true, fail)
                message.fields[String(decoding: key, as: UTF8.self)] = value
                building?.header = message
                continue
            }
            flushMessage()
            if line.isEmpty || line.hasPrefix("#") { continue }

            if line.hasPrefix(">") {
                guard pendingInput == nil else { throw fail("two '>' lines without an expectation between them") }
                let body = line.hasPrefix("> ") ? String(line.dropFirst(2)) : String(line.dropFirst())
                pendingInput = (number, try unescape(body, quoted: false, fail))
            } else if line.hasPrefix("= ") {
                guard let input = pendingInput else { throw fail("'=' without a '>' line") }
                let body = String(line.dropFirst(2))
                if body == "none" {
                    vectors.append(ConformanceVector(file: file, line: input.line, input: input.bytes, expectation: .ignored))
                    pendingInput = nil
                } else if file == "requests.txt" {
                    let canonical = String(decoding: try unescape(body, quoted: false, fail), as: UTF8.self)
                    vectors.append(ConformanceVector(file: file, line: input.line, input: input.bytes, expectation: .canonical(canonical)))
                    pendingInput = nil
                } else {
                    building = (try header(body, fail), number)
                }
            } else if line.hasPrefix("! ") {
                guard let input = pendingInput else { throw fail("'!' without a '>' line") }
                let words = line.dropFirst(2).split(separator: " ").map(String.init)
                guard let code = words.first else { throw fail("'!' needs an error code") }
                var problem: String?, id: String??, key: String?
                for word in words.dropFirst() {
                    if word.hasPrefix("id=") {
                        let value = String(word.dropFirst(3))
                        id = .some(value == "-" ? nil : value)
                    } else if word.hasPrefix("key=") {
                        key = String(word.dropFirst(4))
                    } else {
                        problem = word
                    }
                }
                vectors.append(ConformanceVector(file: file, line: input.line, input: input.bytes,
                                                 expectation: .error(code: code, problem: problem, id: id, key: key)))
                pendingInput = nil
            } else {
                throw fail("a line starts with '>', '=', '+', '!' or '#'")
            }
        }
        flushMessage()
        if pendingInput != nil { throw FormatError(description: "\(file): the last '>' line has no expectation") }
        return vectors
    }

    /// `KIND [id=ID] [word=WORD]`, built straight into a Message (not through the codec).
    private static func header(_ text: String, _ fail: (String) -> FormatError) throws -> Message {
        var words = text.split(separator: " ").map(String.init)
        guard !words.isEmpty, let kind = Message.Kind(rawValue: words.removeFirst()) else {
            throw fail("'= KIND' expected")
        }
        var id: String?, word: String?
        for part in words {
            let value = String(decoding: try unescape(String(part.drop(while: { $0 != "=" }).dropFirst()), quoted: false, fail), as: UTF8.self)
            if part.hasPrefix("id=") { id = value } else if part.hasPrefix("word=") { word = value } else { throw fail("unknown '\(part)'") }
        }
        return Message(kind: kind, id: id, word: word, fields: Fields())
    }

    /// `\xHH` is a byte, `\\` a backslash, `\"` a quote (in quoted values), `\{N:TEXT}` TEXT N times.
    static func unescape(_ text: String, quoted: Bool, _ fail: (String) -> FormatError) throws -> [UInt8] {
        var bytes = Array(text.utf8)
        if quoted {
            guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") else {
                throw fail("value must be in double quotes")
            }
            bytes = Array(bytes.dropFirst().dropLast())
        }
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else { out.append(byte); index += 1; continue }
            guard index + 1 < bytes.count else { throw fail("trailing backslash") }
            switch bytes[index + 1] {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""):
                out.append(bytes[index + 1]); index += 2
            case UInt8(ascii: "x"):
                guard index + 3 < bytes.count,
                      let value = UInt8(String(decoding: bytes[index + 2...index + 3], as: UTF8.self), radix: 16)
                else { throw fail("\\x needs two hex digits") }
                out.append(value); index += 4
            case UInt8(ascii: "{"):
                guard let close = bytes[index...].firstIndex(of: UInt8(ascii: "}")),
                      let colon = bytes[index..<close].firstIndex(of: UInt8(ascii: ":")),
                      let count = Int(String(decoding: bytes[index + 2..<colon], as: UTF8.self))
                else { throw fail("\\{N:TEXT} expected") }
                for _ in 0..<count { out += bytes[colon + 1..<close] }
                index = close + 1
            default:
                throw fail("unknown escape \\\(Character(Unicode.Scalar(bytes[index + 1])))")
            }
        }
        return out
    }
}
