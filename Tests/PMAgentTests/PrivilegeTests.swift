import Foundation
import PMProtocol
import Testing

/// An agent that is not root runs root tools through `sudo -n`, and a sudo that would ask
/// for a password is reported `not-permitted` at once, never waited on. The agent runs as
/// user nobody (setpriv); the fake sudo behaves like the real one without a sudoers entry
/// ("sudo: a password is required", exit 1), or like one with an entry (runs the command).
@Suite("Privileges: sudo -n for a non-root agent")
struct PrivilegeTests {
    /// A recording fake sudo. With `allow`, `-n -l PATH` answers PATH and `-n PATH ARGS`
    /// runs it; without, both fail the way sudo does when it would prompt.
    func sudoFake(_ fixture: AgentFixture, allow: Bool) throws {
        try fixture.fake("sudo", allow ? """
            [ "$1" = "-n" ] || { echo "fake sudo: expected -n first" >&2; exit 2; }
            shift
            if [ "$1" = "-l" ]; then echo "$2"; exit 0; fi
            exec "$@"
            """ : """
            echo "sudo: a password is required" >&2
            exit 1
            """)
    }

    @Test("SELF by a non-root agent whose sudo would prompt ends not-permitted before any guest is touched")
    func promptingSudoIsNotPermittedForHostAction() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try sudoFake(fixture, allow: false)
        try fixture.libvirtNode([.running("tst100")])
        let agent = try fixture.startUnprivilegedAgent()

        let started = Date()
        let reply = try agent.request("REQ n1 cancel type=libvirt self=yes delay=0")
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(reply.count == 1)
        #expect(reply.final?.errorCode == .notPermitted)
        #expect(reply.final?["tool"] == "poweroff")
        #expect(try agent.request("REQ p ping").final?.kind == .ok)
        #expect(try agent.finish() == 0)
        #expect(fixture.record == ["sudo -n -l \(fixture.tools)/poweroff"])
    }

    @Test("A root tool refused by sudo -n is reported not-permitted with sudo's reason")
    func promptingSudoIsNotPermittedForXen() throws {
        let fixture = try AgentFixture()
        try sudoFake(fixture, allow: false)
        try fixture.xenFake(running: ["tst100"])
        let agent = try fixture.startUnprivilegedAgent()

        let reply = try agent.request("REQ n2 cancel type=xen")
        #expect(reply.final?.errorCode == .notPermitted)
        #expect(reply.final?["tool"] == "xl")
        #expect(reply.final?["message"]?.contains("a password is required") == true)
        #expect(try agent.finish() == 0)
        #expect(fixture.record == ["sudo -n \(fixture.tools)/xl list"])
    }

    @Test("A non-root agent that sudoers allows runs root tools as sudo -n PATH ARGS")
    func allowedSudoRunsToolsThroughSudo() throws {
        let fixture = try AgentFixture()
        try fixture.powerFakes()
        try sudoFake(fixture, allow: true)
        try fixture.xenFake(running: ["tst100"])
        let agent = try fixture.startUnprivilegedAgent()

        let reply = try agent.request("REQ a1 cancel type=xen self=yes delay=0")
        #expect(reply.steps == ["vm tst100 shutdown", "notice lab01 sent", "host lab01 poweroff-accepted"])
        let xl = "\(fixture.tools)/xl"
        let record = fixture.waitForRecord { $0 == "poweroff" }
        #expect(record == [
            "sudo -n -l \(fixture.tools)/poweroff",
            "sudo -n \(xl) list", "xl list", "sudo -n \(xl) shutdown tst100", "xl shutdown tst100", "sudo -n \(xl) list", "xl list",
            "wall",  // needs no root: run directly
            "sudo -n \(fixture.tools)/poweroff", "poweroff",
        ])
    }

    @Test("CHECK by a non-root agent says which tools sudo allows, which need no privilege, and which are missing")
    func checkReportsPermissions() throws {
        let refusing = try AgentFixture()
        try refusing.powerFakes()
        try sudoFake(refusing, allow: false)
        let allowing = try AgentFixture()
        try allowing.powerFakes()
        try sudoFake(allowing, allow: true)

        for (fixture, expected) in [(refusing, "no"), (allowing, "sudo")] {
            let agent = try fixture.startUnprivilegedAgent()
            let reply = try agent.request("REQ c1 check")
            let records = Dictionary(uniqueKeysWithValues: reply.filter { $0.kind == .data }.map { ($0["name"] ?? "", $0) })
            #expect(records["poweroff"]?["allowed"] == expected)
            #expect(records["poweroff"]?["path"] == "\(fixture.tools)/poweroff")
            #expect(records["wall"]?["allowed"] == "user")
            #expect(records["xl"]?["allowed"] == "missing")
            #expect(records["xl"]?["path"] == "-")
            #expect(reply.final?["root"] == "no")
            #expect(try agent.finish() == 0)
        }
    }
}
