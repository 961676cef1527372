import PMProtocol
import Testing
import TestSupport

/// The vectors in protocol/vectors/, run against this codec. The agent's tests run the
/// same files against a live agent.
@Suite struct ConformanceVectorTests {
    static let lineVectors = (try? ConformanceVector.load("lines.txt")) ?? []
    static let requestVectors = (try? ConformanceVector.load("requests.txt")) ?? []

    @Test func theVectorFilesLoadAndHoldEnoughCases() throws {
        // load() again, un-swallowed, so a format error in a file shows here with its line.
        #expect(try ConformanceVector.load("lines.txt").count >= 40)
        #expect(try ConformanceVector.load("requests.txt").count >= 40)
    }

    @Test(arguments: lineVectors)
    func lineVector(_ vector: ConformanceVector) throws {
        switch vector.expectation {
        case .ignored:
            #expect(try LineCodec.decode(vector.input) == nil, "\(vector)")
        case .message(let expected):
            let decoded = try LineCodec.decode(vector.input)
            #expect(decoded == expected, "\(vector)")
            // Canonical: the message encodes back to exactly the input (less a trailing CR).
            var input = vector.input
            if input.last == UInt8(ascii: "\r") { input.removeLast() }
            #expect(LineCodec.encode(expected) == input + [UInt8(ascii: "\n")], "\(vector)")
        case .error(let code, let problem, let id, _):
            #expect(throws: DecodeError.self, "\(vector)") { try LineCodec.decode(vector.input) }
            do {
                _ = try LineCodec.decode(vector.input)
            } catch {
                #expect(error.code.rawValue == code, "\(vector)")
                #expect(error.problem.rawValue == problem, "\(vector)")
                if let id { #expect(error.requestID == id, "\(vector)") }
            }
        case .canonical:
            Issue.record("\(vector): lines.txt holds no canonical-form vectors")
        }
    }

    @Test(arguments: requestVectors)
    func requestVector(_ vector: ConformanceVector) throws {
        let outcome = Self.answer(vector.input)
        switch vector.expectation {
        case .canonical(let expected):
            #expect(outcome == expected, "\(vector)")
        case .error(let code, let problem, _, let key):
            let reply = try #require(try LineCodec.decode(Array(outcome.utf8)), "\(vector)")
            #expect(reply.kind == .error && reply.word == code, "\(vector): got \(outcome)")
            if let key { #expect(reply.fields.text("key") == key, "\(vector): got \(outcome)") }
            if let problem { #expect(reply.fields.text("problem") == problem, "\(vector): got \(outcome)") }
        default:
            Issue.record("\(vector): requests.txt holds canonical forms and errors only")
        }
    }

    /// What an agent would make of the line: the canonical request, or the ERR it answers.
    static func answer(_ input: [UInt8]) -> String {
        func text(_ message: Message) -> String { String(decoding: LineCodec.encode(message).dropLast(), as: UTF8.self) }
        do {
            guard let message = try LineCodec.decode(input), message.kind == .request,
                  let id = message.id, let verb = message.word
            else { return "not a request" }
            do {
                return text(try Request(verb: verb, fields: message.fields).message(id: id))
            } catch {
                return text(error.reply(to: id))
            }
        } catch {
            return text(error.reply)
        }
    }
}
