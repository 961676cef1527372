import Foundation
import PMProtocol
import Testing
import TestSupport

/// A thousand hostile lines against a live agent behind a real sshd, as an attacker holding
/// the forced-command key would send them: each gets one typed `ERR`, no tool runs, and the
/// agent is still there to answer PING at the end.
@Suite("Hostile lines over SSH")
struct HostileLinesOverSSHTests {
    /// One generated line and the reply it must get.
    struct Case: CustomStringConvertible {
        var kind: String
        var line: [UInt8]
        var code: ErrorCode
        /// The id the `ERR` carries; nil for `-`.
        var id: String?
        var description: String { "\(kind): \(String(decoding: line.prefix(160), as: UTF8.self))" }
    }

    /// What the protocol says a line must get, or nil for a line that is not hostile after
    /// all (empty, or a well-formed request that would do real work).
    static func expectedReply(_ line: [UInt8]) -> (ErrorCode, String?)? {
        var stripped = line
        if stripped.last == UInt8(ascii: "\r") { stripped.removeLast() }
        if stripped.isEmpty { return nil }
        if stripped.count > Limits.maximumLineLength { return (.lineTooLong, LineCodec.requestID(inPrefixOf: stripped)) }
        let message: Message
        do {
            guard let decoded = try LineCodec.decode(line) else { return nil }
            message = decoded
        } catch {
            return (error.code, error.requestID)
        }
        guard message.kind == .request, let id = message.id, let verb = message.word else { return (.badLine, message.id) }
        do {
            _ = try Request(verb: verb, fields: message.fields)
            return nil
        } catch {
            return (error.reply(to: id).errorCode ?? .internalError, id)
        }
    }

    /// Values an attacker would try to smuggle into a tool's arguments.
    static let injections = ["tst100;reboot", "$(reboot)", "`poweroff`", "a|sh", "a&&halt", "x>/etc/passwd", "../../sbin/init",
                             "/sbin/poweroff", "-rf", "a\nREQ x cancel self=yes force=yes", "a\u{0}b", "a\rb", "a b", "*", "~root",
                             "eth0;ip link set eth0 down", "lo\0", "${IFS}reboot", "'$(id)'", "\"; reboot; \"", "%0A", "a\tb"]
    static let keys = ["vm", "if", "label", "type", "broadcast", "handled", "method", "level", "delay", "timeout", "mac", "ports",
                       "secureon", "self", "force", "wol"]

    /// The seeded lines: garbage, overlong lines, bad escapes, unknown verbs, injections
    /// (escaped so the line parses and the argument check must refuse them, and raw), and
    /// mutated copies of valid requests. Lines that turn out well formed and valid are
    /// drawn again: every case must be refused.
    static func cases(count: Int) -> [Case] {
        var random = SeededRandom(seed: 0x5EED_0009)
        let templates = ["REQ t1 cancel method=poweroff delay=0 label=tst100", "REQ t2 cancel vm=tst100 type=libvirt timeout=5",
                         "REQ t3 wake mac=02:77:00:00:00:01 if=eth0", "REQ t4 cancel wol=yes if=eth0 broadcast=10.77.1.255",
                         "REQ t5 wake mac=02:77:00:00:00:01 broadcast=10.77.1.255 ports=9,7", "REQ t6 ping", "REQ t7 check"]
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        func number(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
        var cases: [Case] = []
        var index = 0
        while cases.count < count {
            index += 1
            let id = "h\(index)"
            let kind = pick(["garbage", "garbage", "overlong", "escape", "verb", "inject", "inject", "raw-inject", "mutate", "mutate"])
            var line: [UInt8]
            switch kind {
            case "garbage":
                line = (0..<(1 + number(300))).map { _ in UInt8(truncatingIfNeeded: random.next()) }.filter { $0 != 0x0A }
            case "overlong":
                let filler = pick(["a", "%", "%0A", " ", "\u{0}"])
                line = Array("REQ \(id) cancel label=".utf8)
                    + Array(String(repeating: filler, count: Limits.maximumLineLength + 1 + number(60_000)).utf8)
            case "escape":
                let value = (0..<(1 + number(12))).map { _ in pick(["%", "%0", "%G1", "%0a", "%fF", "%41", "%2D", "%%", "A", "%0A"]) }.joined()
                line = Array("REQ \(id) \(pick(["cancel", "wake"])) \(pick(keys))=\(value)".utf8)
            case "verb":
                let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789-")
                var verb = String(pick(Array(letters.prefix(26))))
                for _ in 0..<number(31) { verb.append(pick(letters)) }
                line = Array("REQ \(id) \(verb) cmd=reboot".utf8)
            case "inject":
                let escaped = String(decoding: ValueEscaping.encode(Array(pick(injections).utf8)), as: UTF8.self)
                line = Array("REQ \(id) \(pick(["cancel", "wake mac=02:77:00:00:00:01"])) \(pick(keys))=\(escaped)".utf8)
            case "raw-inject":
                line = Array("REQ \(id) cancel \(pick(keys))=\(pick(injections))".utf8).filter { $0 != 0x0A }
            default:
                line = Array(pick(templates).utf8)
                for _ in 0..<(1 + number(4)) {
                    let position = number(line.count)
                    switch number(3) {
                    case 0: line[position] = UInt8(truncatingIfNeeded: random.next())
                    case 1: line.insert(pick(Array(" =%;$`|&\r\0\u{7F}é".utf8)), at: position)
                    default: line.remove(at: position)
                    }
                    if line.isEmpty { line = [UInt8(ascii: "x")] }
                }
                line = line.filter { $0 != 0x0A }
            }
            guard let (code, expectedID) = expectedReply(line) else { continue }
            cases.append(Case(kind: kind, line: line, code: code, id: expectedID))
        }
        return cases
    }

    @Test("1000 seeded hostile lines over a real sshd each get one typed ERR, run no tool, and the agent still answers PING")
    func thousandHostileLinesOverSSH() throws {
        let cases = Self.cases(count: 1000)
        // Every kind of attack is in the mix, and every error code a bad line can earn.
        #expect(Set(cases.map(\.kind)).count == 7)
        #expect(Set(cases.map(\.code)) == [.badLine, .lineTooLong, .unknownVerb, .badArgument])

        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try fixture.xenFake(running: ["tst100"])
        try fixture.ethtoolFake(capable: ["lo", "eth0"])
        try fixture.ipWrapper()
        // Every other tool the agent knows, recording too: whatever it might run is seen.
        for tool in ["ether-wake", "etherwake", "brctl", "ifup", "ifdown", "virsh", "xm", "ipmitool"] { try fixture.fake(tool) }
        try fixture.libvirtNode([.running("tst100")])
        let forced = ([AgentFixture.agentPath] + fixture.serveArguments()).joined(separator: " ")
        let sshd = try SSHDaemon(forcedCommand: forced)
        defer { sshd.stopAndRemoveFiles() }
        let agent = try AgentProcess(executable: "/usr/bin/ssh", arguments: [
            "-F", "/dev/null", "-T", "-e", "none", "-i", sshd.clientKey.privateKeyPath, "-p", String(sshd.port),
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", "UserKnownHostsFile=\(sshd.knownHostsPath)", "-o", "GlobalKnownHostsFile=/dev/null",
            "\(sshd.user)@\(sshd.host)", "ignored-by-the-forced-command",
        ])
        #expect(agent.hello.kind == .hello)
        #expect(agent.hello["host"] == "lab01")

        var failures = 0
        for testCase in cases where failures < 20 {
            agent.send(raw: testCase.line + [UInt8(ascii: "\n")])
            let reply = try agent.readUntilFinal()
            let error = reply.final
            let ok = reply.count == 1 && error?.errorCode == testCase.code && error?.id == testCase.id
                && error?["message"]?.isEmpty == false
            #expect(ok, "\(testCase): \(reply)")
            if !ok { failures += 1 }
        }

        let ping = try agent.request("REQ alive ping")
        #expect(ping.final?.kind == .ok)
        #expect(ping.final?["host"] == "lab01")
        #expect(fixture.record == [], "no tool ran")
        #expect(try agent.finish() == 0, "ssh ends with the agent's own exit status: 0 after EOF")
    }
}
