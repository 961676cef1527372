import PMProtocol
import Testing
import TestSupport

@Suite struct LineSplitterTests {
    @Test func linesSurviveAnyChunking() {
        let stream = Array("HELLO proto=1.0\nREQ r1 ping\n\nOK r1 host=a\n".utf8)
        var random = SeededRandom(seed: 7)
        for _ in 0..<200 {
            var splitter = LineSplitter()
            var events: [LineSplitter.Event] = []
            var rest = stream[...]
            while !rest.isEmpty {
                let take = Int.random(in: 1...rest.count, using: &random)
                events += splitter.feed(rest.prefix(take))
                rest = rest.dropFirst(take)
            }
            #expect(events == [.line(Array("HELLO proto=1.0".utf8)), .line(Array("REQ r1 ping".utf8)), .line([]),
                               .line(Array("OK r1 host=a".utf8))])
            #expect(splitter.unterminated == nil)
        }
    }

    @Test func anOverlongLineIsReportedOnceAndTheNextLineStillArrives() {
        var splitter = LineSplitter(limit: 16)
        var events = splitter.feed(Array("REQ r1 cancel label=xxxxxxxxxxxxxxxxxxxxxxxx".utf8))
        events += splitter.feed(Array("yyyyyyyyyyyyyyyy\nREQ r2 ping\n".utf8))
        #expect(events.count == 2)
        guard case .overlong(let prefix) = events.first else { Issue.record("expected overlong first"); return }
        #expect(LineCodec.requestID(inPrefixOf: prefix) == "r1")
        #expect(events.last == .line(Array("REQ r2 ping".utf8)))
    }

    @Test func aLineOfExactlyTheLimitPassesAndACROnTopIsAllowed() {
        var splitter = LineSplitter(limit: 4)
        #expect(splitter.feed(Array("abcd\nabcd\r\nabcde\n".utf8)) ==
                [.line(Array("abcd".utf8)), .line(Array("abcd\r".utf8)), .line(Array("abcde".utf8))])
        // "abcde" is one byte over, but within the CR allowance: the codec, not the splitter, refuses it.
        #expect(splitter.feed(Array("abcdef\n".utf8)).count == 1)
    }

    @Test func anUnterminatedTailIsKeptForTheCaller() {
        var splitter = LineSplitter()
        #expect(splitter.feed(Array("OK r1\nOK r2".utf8)) == [.line(Array("OK r1".utf8))])
        #expect(splitter.unterminated == Array("OK r2".utf8))
    }
}
