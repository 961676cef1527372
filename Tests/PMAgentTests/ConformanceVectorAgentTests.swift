import Foundation
import PMProtocol
import Testing
import TestSupport

/// protocol/vectors/ against a live `pmagent serve`: every line the vectors say is wrong
/// gets exactly that ERR (code, problem, id, key), an ignored line gets no answer, no tool
/// runs, and the agent keeps serving. The protocol's own tests run the same files
/// against the codec.
@Suite struct ConformanceVectorAgentTests {
    @Test(arguments: ["lines.txt", "requests.txt"])
    func everyRefusedVectorGetsItsErrorFromALiveAgent(_ file: String) throws {
        let vectors = try ConformanceVector.load(file)
        let fixture = try AgentFixture()
        let agent = try fixture.startAgent()
        var checked = 0
        for vector in vectors {
            switch vector.expectation {
            case .error(let code, let problem, let id, let key):
                agent.send(raw: vector.input + [UInt8(ascii: "\n")])
                let reply = try #require(try agent.readMessage(), "\(vector): no answer")
                #expect(reply.kind == .error && reply.word == code, "\(vector): got \(reply)")
                if let problem { #expect(reply.fields.text("problem") == problem, "\(vector): got \(reply)") }
                if let id { #expect(reply.id == id, "\(vector): got \(reply)") }
                if let key { #expect(reply.fields.text("key") == key, "\(vector): got \(reply)") }
                checked += 1
            case .ignored:
                // No answer: the next line the agent sends answers the ping that follows.
                agent.send(raw: vector.input + [UInt8(ascii: "\n")])
                let reply = try #require(try agent.request("REQ after-ignored ping").last)
                #expect(reply.kind == .ok && reply.id == "after-ignored", "\(vector): got \(reply)")
                checked += 1
            case .message, .canonical:
                // Valid lines are the codec's business (and a valid cancel would act).
                continue
            }
        }
        #expect(checked >= 20)
        #expect(fixture.record.isEmpty, "tools ran: \(fixture.record)")
        let alive = try #require(try agent.request("REQ still-there ping").last)
        #expect(alive.kind == .ok && alive.id == "still-there")
    }
}
