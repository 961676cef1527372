import Foundation
import PMProtocol
import Testing

/// Malformed and hostile lines: each gets one typed `ERR` with the right id, no tool runs,
/// and the agent keeps serving.
@Suite("Serve loop: malformed and hostile input")
struct HostileInputTests {
    /// One line and the error it must get.
    struct Case: CustomStringConvertible {
        var line: [UInt8]
        var code: ErrorCode
        /// The id the `ERR` carries; nil for `-`.
        var id: String?
        /// `key=` of a bad-argument, or `problem=` of a line error, when checked.
        var detail: String?

        var description: String { String(decoding: line.prefix(120), as: UTF8.self) }
    }

    static func argument(_ id: String, _ rest: String, key: String) -> Case {
        Case(line: Array("REQ \(id) \(rest)".utf8), code: .badArgument, id: id, detail: key)
    }

    static func lineError(_ text: String, id: String?, problem: String) -> Case {
        Case(line: Array(text.utf8), code: .badLine, id: id, detail: problem)
    }

    static var cases: [Case] {
        var cases: [Case] = []
        // Shell metacharacters, path tricks and injected newlines, escaped so the line
        // parses: each value must be refused by its pattern.
        let hostile = ["tst100;reboot", "$(reboot)", "`reboot`", "a|b", "a&b", "a>b", "<a", "../../etc/passwd",
                       "/sbin/poweroff", "a b", "a\nreboot", "a\rb", "a\u{0}b", "-rf", "a*", "a?b", "'a'", "\"a\"",
                       "a\\b", "~root"]
        for (index, value) in hostile.enumerated() {
            let escaped = String(decoding: ValueEscaping.encode(Array(value.utf8)), as: UTF8.self)
            cases.append(argument("v\(index)", "cancel vm=\(escaped)", key: "vm"))
            cases.append(argument("i\(index)", "cancel wol=yes if=\(escaped)", key: "if"))
            cases.append(argument("t\(index)", "cancel type=\(escaped)", key: "type"))
            cases.append(argument("w\(index)", "wake mac=02:77:00:00:00:01 if=\(escaped)", key: "if"))
        }
        // Wrong types and values out of range.
        cases += [
            argument("d1", "cancel delay=-1", key: "delay"), argument("d2", "cancel delay=1e3", key: "delay"),
            argument("d3", "cancel delay=0x10", key: "delay"), argument("d4", "cancel delay=010", key: "delay"),
            argument("d5", "cancel delay=86401", key: "delay"), argument("d6", "cancel delay=9999999999", key: "delay"),
            argument("d7", "cancel delay=", key: "delay"), argument("m1", "cancel method=init", key: "level"),
            argument("m2", "cancel method=init level=7", key: "level"), argument("m3", "cancel method=shutdown", key: "method"),
            argument("m4", "cancel method=POWEROFF", key: "method"), argument("m5", "cancel method=init level=1 wol=yes", key: "wol"),
            argument("m6", "cancel method=reboot wol=yes", key: "wol"), argument("m7", "cancel method=reset wol=yes", key: "wol"),
            argument("m8", "cancel level=3", key: "level"), argument("f1", "cancel self=true", key: "self"),
            argument("f2", "cancel force=1", key: "force"), argument("f3", "cancel wol=Y", key: "wol"),
            argument("o1", "cancel timeout=3601", key: "timeout"), argument("o2", "cancel timeout=-5", key: "timeout"),
            argument("y1", "cancel type=vmware", key: "type"), argument("y2", "cancel type=PM", key: "type"),
            argument("s1", "cancel vm=tst100 self=yes", key: "vm"), argument("s2", "cancel vm=tst100 method=init level=3", key: "vm"),
            argument("b1", "cancel broadcast=192.168.3.255", key: "broadcast"), argument("b2", "cancel if=eth0", key: "if"),
            argument("b3", "cancel wol=yes broadcast=-bad-.host", key: "broadcast"),
            argument("l1", "cancel label=\(String(repeating: "a", count: 65))", key: "label"),
            argument("l2", "cancel label=a%0Ab", key: "label"), argument("l3", "cancel label=%FF%FE", key: "label"),
            argument("h1", "cancel handled=a,,b", key: "handled"), argument("h2", "cancel handled=a%3Bb", key: "handled"),
            argument("u1", "cancel unknown=1", key: "unknown"), argument("u2", "cancel vm=", key: "vm"),
            argument("u3", "cancel vm=\(String(repeating: "a", count: 65))", key: "vm"),
            argument("u4", "cancel method=poweroff%00", key: "method"),
            argument("p1", "ping x=1", key: "x"), argument("p2", "info all=yes", key: "all"), argument("p3", "check verbose=yes", key: "verbose"),
            argument("k1", "wake", key: "mac"), argument("k2", "wake mac=ff:ff:ff:ff:ff:ff if=lo", key: "mac"),
            argument("k3", "wake mac=00:00:00:00:00:00 if=lo", key: "mac"), argument("k4", "wake mac=02:77:00:00:00:0G if=lo", key: "mac"),
            argument("k5", "wake mac=02:77:00:00:00:01", key: "broadcast"),
            argument("k6", "wake mac=02:77:00:00:00:01 if=lo broadcast=127.0.0.1", key: "if"),
            argument("k7", "wake mac=02:77:00:00:00:01 broadcast=999.1.1.1", key: "broadcast"),
            argument("k8", "wake mac=02:77:00:00:00:01 broadcast=host.example", key: "broadcast"),
            argument("k9", "wake mac=02:77:00:00:00:01 broadcast=127.0.0.1 ports=0", key: "ports"),
            argument("k10", "wake mac=02:77:00:00:00:01 broadcast=127.0.0.1 ports=65536", key: "ports"),
            argument("k11", "wake mac=02:77:00:00:00:01 broadcast=127.0.0.1 ports=9,9", key: "ports"),
            argument("k12", "wake mac=02:77:00:00:00:01 broadcast=127.0.0.1 ports=1,2,3,4,5", key: "ports"),
            argument("k13", "wake mac=02:77:00:00:00:01 if=lo ports=9", key: "ports"),
            argument("k14", "wake mac=02:77:00:00:00:01 if=lo secureon=xyz", key: "secureon"),
            argument("k15", "wake mac=02:77:00:00:00:01 if=lo secureon=0102", key: "secureon"),
            argument("k16", "wake mac=02:77:00:00:00:01 if=lo extra=1", key: "extra"),
        ]
        // Broken lines: grammar, escaping, bytes.
        cases += [
            lineError("REQ", id: nil, problem: "missing-id"), lineError("REQ b", id: "b", problem: "missing-word"),
            lineError("REQ b CANCEL", id: "b", problem: "bad-word"), lineError("REQ b cancel  vm=x", id: "b", problem: "empty-token"),
            lineError(" REQ b ping", id: nil, problem: "empty-token"), lineError("REQ b ping ", id: "b", problem: "empty-token"),
            lineError("REQ ../etc ping", id: nil, problem: "bad-id"), lineError("REQ $(reboot) ping", id: nil, problem: "bad-id"),
            lineError("REQ \(String(repeating: "x", count: 33)) ping", id: nil, problem: "bad-id"),
            lineError("REQ b cancel vm", id: "b", problem: "missing-equals"), lineError("REQ b cancel VM=x", id: "b", problem: "bad-key"),
            lineError("REQ b cancel vm=%zz", id: "b", problem: "bad-escape"), lineError("REQ b cancel vm=%0a", id: "b", problem: "bad-escape"),
            lineError("REQ b cancel vm=a%2", id: "b", problem: "bad-escape"), lineError("REQ b cancel vm=a b", id: "b", problem: "missing-equals"),
            lineError("REQ b cancel vm=tst100;reboot", id: "b", problem: "unsafe-byte"),
            lineError("REQ b cancel vm=\"x\"", id: "b", problem: "unsafe-byte"), lineError("REQ b cancel vm='x'", id: "b", problem: "unsafe-byte"),
            lineError("REQ b cancel vm=x|y", id: "b", problem: "unsafe-byte"), lineError("REQ b cancel vm=x&y", id: "b", problem: "unsafe-byte"),
            lineError("REQ b cancel vm=x>y", id: "b", problem: "unsafe-byte"), lineError("REQ b cancel vm=$(x)", id: "b", problem: "unsafe-byte"),
            lineError("REQ b cancel vm=`x`", id: "b", problem: "unsafe-byte"), lineError("REQ b cancel vm=x*", id: "b", problem: "unsafe-byte"),
            lineError("REQ b cancel vm=x!", id: "b", problem: "unsafe-byte"), lineError("REQ b cancel vm=x#", id: "b", problem: "unsafe-byte"),
            lineError("REQ b cancel method=poweroff method=reboot", id: "b", problem: "duplicate-key"),
            lineError("REQ b cancel vm=t\u{e9}st", id: "b", problem: "not-ascii"),
            lineError("REQ b cancel vm=a\tb", id: "b", problem: "control-byte"),
            lineError("REQ b cancel vm=a\u{1b}[2J", id: "b", problem: "control-byte"),
            lineError("REQ b cancel vm=a\u{7f}", id: "b", problem: "control-byte"),
            lineError("req b ping", id: nil, problem: "unknown-kind"), lineError("reboot", id: nil, problem: "unknown-kind"),
            lineError("/sbin/poweroff", id: nil, problem: "unknown-kind"),
            // Well-formed lines of other kinds: the agent only serves REQ.
            lineError("OK b", id: "b", problem: "unknown-kind"), lineError("STEP b step=vm", id: "b", problem: "unknown-kind"),
            lineError("DATA b x=1", id: "b", problem: "unknown-kind"), lineError("ERR b bad-line", id: "b", problem: "unknown-kind"),
            lineError("HELLO proto=1.0", id: nil, problem: "unknown-kind"), lineError("ERR - internal", id: nil, problem: "unknown-kind"),
        ]
        cases.append(Case(line: Array("REQ b cancel vm=a".utf8) + [0] + Array("b".utf8), code: .badLine, id: "b", detail: "control-byte"))
        // Unknown verbs.
        for verb in ["shutdown", "exec", "poweroff", "reboot", "rm-rf", "sh", "sudo"] {
            cases.append(Case(line: Array("REQ u-\(verb) \(verb) cmd=reboot".utf8), code: .unknownVerb, id: "u-\(verb)", detail: nil))
        }
        // Overlong lines: one past the limit, and far past it.
        cases.append(Case(line: Array("REQ long1 cancel label=".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: Limits.maximumLineLength),
                          code: .lineTooLong, id: "long1", detail: "too-long"))
        cases.append(Case(line: Array("REQ long2 ping x=".utf8) + [UInt8](repeating: UInt8(ascii: "%"), count: 100_000),
                          code: .lineTooLong, id: "long2", detail: "too-long"))
        return cases
    }

    @Test("Over a hundred malformed or hostile lines each get one typed ERR, run no tool, and the agent keeps serving")
    func everyHostileLineGetsTypedErrorAndRunsNothing() throws {
        let cases = Self.cases
        #expect(cases.count >= 100)
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.xenFake(running: ["tst100"])
        try fixture.ethtoolFake(capable: ["lo"])
        try fixture.ipWrapper()
        try fixture.libvirtNode([.running("tst100")])
        let agent = try fixture.startAgent()

        for testCase in cases {
            agent.send(raw: testCase.line + [UInt8(ascii: "\n")])
            let reply = try agent.readUntilFinal()
            #expect(reply.count == 1, "\(testCase): \(reply)")
            guard let error = reply.final else { continue }
            #expect(error.errorCode == testCase.code, "\(testCase): \(error)")
            #expect(error.id == testCase.id, "\(testCase): \(error)")
            #expect(error["message"]?.isEmpty == false, "\(testCase)")
            if let detail = testCase.detail {
                let field = testCase.code == .badArgument ? "key" : "problem"
                #expect(error[field] == detail, "\(testCase): \(error)")
            }
        }

        // Still serving, and nothing ran: not even a listing of the guests.
        let ping = try agent.request("REQ alive ping")
        #expect(ping.final?.kind == .ok)
        #expect(ping.final?["host"] == "lab01")
        #expect(try agent.finish() == 0)
        #expect(fixture.record == [])
    }

    @Test("Empty lines are keepalives and get no answer; CRLF line ends are accepted")
    func emptyLinesAreIgnored() throws {
        let fixture = try AgentFixture()
        let agent = try fixture.startAgent()
        agent.send(raw: Array("\n\r\n\nREQ p1 ping\r\n".utf8))
        let reply = try agent.readUntilFinal()
        #expect(reply.count == 1)
        #expect(reply.final?.kind == .ok)
        #expect(reply.final?.id == "p1")
    }

    @Test("A last line without LF is answered with bad-line, and EOF then ends the agent cleanly")
    func unterminatedLastLineIsReported() throws {
        let fixture = try AgentFixture()
        let agent = try fixture.startAgent()
        agent.send(raw: Array("REQ p1 ping\nREQ p2 ping".utf8))
        #expect(try agent.readUntilFinal().final?.kind == .ok)
        #expect(try agent.finish() == 0)
        let error = try agent.readMessage()
        #expect(error?.errorCode == .badLine)
        #expect(error?.id == "p2")
        #expect(try agent.outputEnds())
    }

    @Test("Requests sent back to back are answered in order")
    func pipelinedRequestsAnswerInOrder() throws {
        let fixture = try AgentFixture()
        let agent = try fixture.startAgent()
        agent.send(raw: Array("REQ a ping\nREQ b nosuch\nREQ c ping\n".utf8))
        let ids = try (0..<3).map { _ in try agent.readUntilFinal().final?.id }
        #expect(ids == ["a", "b", "c"])
        #expect(try agent.finish() == 0)
        // Nothing but protocol lines on stdout.
        #expect(agent.rawLines.allSatisfy { (try? LineCodec.decode(Array($0.utf8))) != nil })
    }
}
