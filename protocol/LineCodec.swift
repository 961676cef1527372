/// Turns one line into a `Message` and back. See PROTOCOL.md for the grammar.
public enum LineCodec {
    /// Parses one line, given without its LF. A trailing CR is dropped.
    ///
    /// - Returns: the message, or nil for an empty line (a keepalive, which gets no answer).
    /// - Throws: `DecodeError` naming the problem and, when the line got that far, its request id.
    public static func decode<Bytes: Collection>(_ line: Bytes) throws(DecodeError) -> Message?
    where Bytes.Element == UInt8 {
        var bytes = Array(line)
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        if bytes.isEmpty { return nil }
        if bytes.count > Limits.maximumLineLength {
            throw DecodeError(
                .tooLong, "line is \(bytes.count) bytes, the limit is \(Limits.maximumLineLength)",
                requestID: requestID(inPrefixOf: bytes))
        }
        if let index = bytes.firstIndex(where: { $0 >= 0x80 }) {
            throw DecodeError(.notASCII, "byte 0x\(hex(bytes[index])) at column \(index + 1) is not ASCII; escape it as %\(hex(bytes[index]))",
                              requestID: requestID(inPrefixOf: bytes))
        }
        if let index = bytes.firstIndex(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw DecodeError(.controlByte, "control byte 0x\(hex(bytes[index])) at column \(index + 1); escape it as %\(hex(bytes[index]))",
                              requestID: requestID(inPrefixOf: bytes))
        }

        let tokens = bytes.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        var position = tokens.startIndex
        var id: String?

        func fail(_ problem: DecodeError.Problem, _ reason: String) -> DecodeError {
            DecodeError(problem, reason, requestID: id)
        }

        // Any empty token means two spaces in a row, or a space at the start or end.
        if tokens.contains(where: \.isEmpty) {
            id = requestID(inPrefixOf: bytes)
            throw fail(.emptyToken, "tokens are separated by exactly one space, with none at the start or end")
        }

        let kindText = String(decoding: tokens[position], as: UTF8.self)
        guard let kind = Message.Kind(rawValue: kindText) else {
            throw fail(.unknownKind, "'\(kindText)' is not a line kind (HELLO, REQ, STEP, DATA, OK, ERR)")
        }
        position += 1

        if kind.hasID {
            guard position < tokens.endIndex else { throw fail(.missingID, "\(kindText) needs a request id") }
            let text = String(decoding: tokens[position], as: UTF8.self)
            if kind == .error && text == "-" {
                id = nil
            } else if Grammar.isRequestID(text) {
                id = text
            } else {
                throw fail(.badID, "'\(text)' is not a request id (1 to 32 of A-Z a-z 0-9 _ . -, starting with a letter or digit)")
            }
            position += 1
        }

        var word: String?
        if kind.hasWord {
            let what = kind == .request ? "a verb" : "an error code"
            guard position < tokens.endIndex else { throw fail(.missingWord, "\(kindText) needs \(what)") }
            let text = String(decoding: tokens[position], as: UTF8.self)
            guard Grammar.isWord(text) else {
                throw fail(.badWord, "'\(text)' is not \(what) (1 to 32 of a-z 0-9 -, starting with a letter)")
            }
            word = text
            position += 1
        }

        var fields = Fields()
        for token in tokens[position...] {
            guard let equals = token.firstIndex(of: UInt8(ascii: "=")) else {
                throw fail(.missingEquals, "'\(String(decoding: token, as: UTF8.self))' is not key=value")
            }
            let key = String(decoding: token[..<equals], as: UTF8.self)
            guard Grammar.isKey(key) else {
                throw fail(.badKey, "'\(key)' is not a key (1 to 32 of a-z 0-9 _ -, starting with a letter)")
            }
            guard fields[key] == nil else { throw fail(.duplicateKey, "key '\(key)' appears twice") }
            do {
                fields[key] = try ValueEscaping.decode(token[token.index(after: equals)...])
            } catch {
                switch error {
                case .badEscape:
                    throw fail(.badEscape, "value of '\(key)' has a % not followed by two upper-case hex digits")
                case .escapedSafeByte(let byte):
                    throw fail(.badEscape, "value of '\(key)' escapes '\(Character(Unicode.Scalar(byte)))' as %\(hex(byte)); write it as itself")
                case .unsafeByte(let byte):
                    throw fail(.unsafeByte, "value of '\(key)' has a literal '\(Character(Unicode.Scalar(byte)))'; write it as %\(hex(byte))")
                }
            }
        }
        return Message(kind: kind, id: id, word: word, fields: fields)
    }

    /// The wire form of `message`, ending in LF.
    ///
    /// The message must be well formed (ids, verbs and keys as the grammar says); that is
    /// the program's own responsibility, so a violation stops it rather than sending garbage.
    public static func encode(_ message: Message) -> [UInt8] {
        var out: [UInt8] = Array(message.kind.rawValue.utf8)
        if message.kind.hasID {
            let id = message.id ?? "-"
            precondition(Grammar.isRequestID(id) || (message.kind == .error && id == "-"), "bad request id \(id)")
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: id.utf8)
        }
        if message.kind.hasWord {
            let word = message.word ?? ""
            precondition(Grammar.isWord(word), "bad verb or error code '\(word)'")
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: word.utf8)
        }
        for field in message.fields {
            precondition(Grammar.isKey(field.key), "bad key '\(field.key)'")
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: field.key.utf8)
            out.append(UInt8(ascii: "="))
            ValueEscaping.encode(field.value, into: &out)
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// The request id of a line that failed to parse, read from its first two tokens when
    /// they look like `KIND ID`; so even an overlong or garbled request gets a reply its
    /// sender can match.
    public static func requestID(inPrefixOf bytes: [UInt8]) -> String? {
        let tokens = bytes.prefix(80).split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        guard tokens.count >= 3,
              let kind = Message.Kind(rawValue: String(decoding: tokens[0], as: UTF8.self)), kind.hasID
        else { return nil }
        let id = String(decoding: tokens[1], as: UTF8.self)
        return Grammar.isRequestID(id) ? id : nil
    }

    static func hex(_ byte: UInt8) -> String {
        String(decoding: [ValueEscaping.hexDigits[Int(byte >> 4)], ValueEscaping.hexDigits[Int(byte & 0x0F)]], as: UTF8.self)
    }
}
