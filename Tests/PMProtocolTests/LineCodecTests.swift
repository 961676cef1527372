import PMProtocol
import Testing
import TestSupport

@Suite struct LineCodecTests {
    /// Random well-formed messages of every kind, with values holding any bytes.
    @Test func randomMessagesRoundTripThroughTheWire() throws {
        var random = SeededRandom(seed: 0x5EED_0002)
        let idCharacters = Array("abcXYZ019_.-")
        let keyCharacters = Array("abcxyz019_-")
        for iteration in 0..<3_000 {
            let kind = Message.Kind.allCases.randomElement(using: &random)!
            var fields = Fields()
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                let key = "k" + String((0..<Int.random(in: 0...8, using: &random)).map { _ in keyCharacters.randomElement(using: &random)! })
                fields[key] = random.bytes(maximumCount: 40)
            }
            let id = "r" + String((0..<Int.random(in: 0...10, using: &random)).map { _ in idCharacters.randomElement(using: &random)! })
            let message: Message
            switch kind {
            case .hello: message = .hello(fields)
            case .request: message = .request(id: id, verb: "cancel", fields)
            case .step: message = .step(id: id, fields)
            case .data: message = .data(id: id, fields)
            case .ok: message = .ok(id: id, fields)
            case .error: message = Message(kind: .error, id: Bool.random(using: &random) ? id : nil, word: "tool-failed", fields: fields)
            }
            let wire = LineCodec.encode(message)
            #expect(wire.last == UInt8(ascii: "\n"))
            #expect(!wire.dropLast().contains(UInt8(ascii: "\n")), "iteration \(iteration): a value leaked a newline")
            #expect(wire.allSatisfy { $0 >= 0x20 && $0 < 0x7F || $0 == 0x0A }, "iteration \(iteration)")
            #expect(try LineCodec.decode(wire.dropLast()) == message, "iteration \(iteration)")
        }
    }

    @Test func randomGarbageNeverCrashesTheDecoder() {
        var random = SeededRandom(seed: 0x5EED_0003)
        var refused = 0
        for _ in 0..<5_000 {
            var line = Array("REQ r1 cancel ".utf8) + random.bytes(maximumCount: 60)
            line.removeAll { $0 == UInt8(ascii: "\n") }
            do { _ = try LineCodec.decode(line) } catch { refused += 1; #expect(!error.reason.isEmpty) }
        }
        #expect(refused > 1_000)
    }

    @Test func anErrorReplyCarriesCodeProblemAndTheRequestID() throws {
        let error = try #require(throws: DecodeError.self) { try LineCodec.decode(Array("REQ r7 cancel a=1 a=2".utf8)) }
        let reply = error.reply
        #expect(reply.kind == .error && reply.id == "r7" && reply.errorCode == .badLine)
        #expect(reply.fields.text("problem") == "duplicate-key")
        #expect(reply.fields.text("message")?.contains("'a'") == true)
    }
}
