// libFuzzer target: the protocol decoder (LineSplitter, LineCodec, Request).
// Built by fuzz/run.sh together with protocol/*.swift as one module, so it sees internals.
//
// Beyond "does not crash", it checks the properties the protocol promises:
// - splitting does not depend on how the stream was cut into reads;
// - every line that decodes re-encodes to a line that decodes to the same message;
// - every error reply (a decode error, an unknown verb, a bad argument) is itself a
//   well-formed line (encoding it would trap otherwise);
// - a typed request's canonical line parses back to the same request;
// - escaping round-trips every byte string.

/// Stops the run with a message: libFuzzer records the input as a crash.
func violated(_ what: String, _ input: [UInt8]) -> Never {
    fatalError("property violated: \(what); input \(input.prefix(200))")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func protocolFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    checkEscaping(input)
    checkSplitting(input)
    var splitter = LineSplitter()
    for event in splitter.feed(input) {
        guard case .line(let line) = event else { continue }
        checkLine(line)
    }
    if let rest = splitter.unterminated { checkLine(rest) }
    return 0
}

func checkEscaping(_ bytes: [UInt8]) {
    let encoded = ValueEscaping.encode(bytes)
    guard let decoded = try? ValueEscaping.decode(encoded[...]), decoded == bytes else {
        violated("escaping does not round-trip", bytes)
    }
    // Whatever decodes must encode back to the very same spelling (the encoding is canonical).
    if let value = try? ValueEscaping.decode(bytes[...]), ValueEscaping.encode(value) != bytes {
        violated("a decodable value has a second spelling", bytes)
    }
}

/// The same stream fed in one piece and cut at a point the input picks gives the same events.
func checkSplitting(_ input: [UInt8]) {
    for limit in [64, Limits.maximumLineLength] {
        var whole = LineSplitter(limit: limit)
        let expected = whole.feed(input)
        var cut = LineSplitter(limit: limit)
        let point = input.isEmpty ? 0 : Int(input[0]) % (input.count + 1)
        let events = cut.feed(input[..<point]) + cut.feed(input[point...])
        guard events == expected, cut.unterminated == whole.unterminated else {
            violated("splitting depends on where the reads were cut (limit \(limit), cut at \(point))", input)
        }
        for case .line(let line) in expected where line.count > limit + 1 || line.contains(UInt8(ascii: "\n")) {
            violated("a line event is longer than the limit or holds a LF", input)
        }
    }
}

func checkLine(_ line: [UInt8]) {
    let message: Message
    do {
        guard let decoded = try LineCodec.decode(line) else { return }
        message = decoded
    } catch {
        _ = LineCodec.encode(error.reply)  // traps if the reply is not a well-formed line
        return
    }
    let wire = LineCodec.encode(message)
    guard wire.last == UInt8(ascii: "\n"), let again = try? LineCodec.decode(wire.dropLast()), again == message else {
        violated("a decoded line does not re-encode to itself", line)
    }
    guard message.kind == .request, let id = message.id, let verb = message.word else { return }
    let request: Request
    do {
        request = try Request(verb: verb, fields: message.fields)
    } catch {
        _ = LineCodec.encode(error.reply(to: id))
        return
    }
    let canonical = LineCodec.encode(request.message(id: id))
    guard let reread = try? LineCodec.decode(canonical.dropLast()),
          let verbAgain = reread.word, let requestAgain = try? Request(verb: verbAgain, fields: reread.fields),
          requestAgain == request
    else {
        violated("a request's canonical line does not parse back to the same request", line)
    }
}
