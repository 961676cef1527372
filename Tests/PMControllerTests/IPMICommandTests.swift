import Foundation
import GRDB
import Testing
import TestSupport
@testable import PMController

/// `pmctl ipmi` as an operator runs it: the built binary, an inventory, real ipmi_sim BMCs.
@Suite(.serialized) struct IPMICommandTests {
    @Test func statusOnAndTheFailureOutcomesReadAsJSON() throws {
        let good = try IPMISimulator(initialPower: false)
        let state = try TemporaryDirectory()
        defer { good.stop(); state.remove() }
        try state.write("wrong", "nope\n", mode: 0o600)
        let silent = freeLoopbackPort(udp: true)
        try state.write("inventory.yaml", """
            hosts:
              bmc-ok:
                ipmi: {address: 127.0.0.1, port: \(good.port), user: \(good.user), password_file: \(good.passwordFile), cipher: 3}
              bmc-badpw:
                ipmi: {address: 127.0.0.1, port: \(good.port), user: \(good.user), password_file: \(state.file("wrong"))}
              bmc-gone:
                ipmi: {address: 127.0.0.1, port: \(silent), user: admin, password_file: \(good.passwordFile)}
              no-bmc:
                address: 127.0.0.1
            """)
        func pmctl(_ words: [String]) throws -> ProgramRun {
            try ProgramRun.run(Repository.executable("pmctl"),
                               ["--inventory", state.file("inventory.yaml"), "--state", state.file("state"), "--json",
                                "ipmi", "--bmc-interval", "0.2"] + words,
                               environment: ["PMCTL_IPMI_PASSWORD": nil])
        }

        let status = try pmctl(["bmc-ok", "status"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.lines.first?.contains(#""action":"ipmi","outcome":"ok""#) == true, "\(status.stdout)")
        #expect(status.lines.first?.contains(#"{"step":"power","name":"bmc-ok","result":"off"}"#) == true, "\(status.stdout)")

        let on = try pmctl(["bmc-ok", "on"])
        #expect(on.status == 0, "\(on.stderr)")
        #expect(on.lines.first?.contains(#"{"step":"power","name":"bmc-ok","result":"on"}"#) == true, "\(on.stdout)")
        #expect(good.isPoweredOn)

        let mixed = try pmctl(["bmc-ok", "bmc-badpw", "bmc-gone", "no-bmc", "status"])
        #expect(mixed.status == 1)
        // Lines stream as hosts finish; each host has exactly one, with its own outcome.
        let expected = ["bmc-ok": "ok", "bmc-badpw": "auth", "bmc-gone": "unreachable", "no-bmc": "refused"]
        #expect(mixed.lines.count == 5, "\(mixed.stdout)")
        for (host, outcome) in expected {
            let lines = mixed.lines.filter { $0.hasPrefix(#"{"host":"\#(host)","#) }
            #expect(lines.count == 1 && lines[0].contains(#""outcome":"\#(outcome)""#), "\(host): \(lines)")
        }
        #expect(mixed.lines.last?.contains(#""ok":1,"failed":0,"unreachable":1,"auth":1"#) == true, "\(mixed.stdout)")
        #expect(!mixed.stdout.contains(good.password))
    }

    /// A power command is journaled as sent before it goes to the BMC (so a crash leaves the
    /// host in doubt, never silently retried); a status query changes nothing and is not.
    @Test func aPowerCommandIsJournaledAsSentAndAStatusIsNot() throws {
        let bmc = try IPMISimulator(initialPower: true)
        let state = try TemporaryDirectory()
        defer { bmc.stop(); state.remove() }
        try state.write("inventory.yaml", "hosts:\n  b1:\n    ipmi: {address: 127.0.0.1, port: \(bmc.port), user: \(bmc.user), "
                        + "password_file: \(bmc.passwordFile), cipher: 3}\n")
        for verb in ["status", "off"] {
            let run = try ProgramRun.run(Repository.executable("pmctl"),
                                         ["--inventory", state.file("inventory.yaml"), "--state", state.file("state"),
                                          "ipmi", "--bmc-interval", "0.2", "b1", verb], environment: ["PMCTL_IPMI_PASSWORD": nil])
            #expect(run.status == 0, "\(verb): \(run.stderr)")
        }
        let database = try JournalDatabase(stateDirectory: state.file("state"))
        let sent = try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT run.command, host.sent FROM host JOIN run ON run.id = host.run")
                .map { (($0["command"] as String).split(separator: " ").last.map(String.init) ?? "", ($0["sent"] as String?) != nil) }
        }
        #expect(Dictionary(uniqueKeysWithValues: sent) == ["status": false, "off": true])
    }

    @Test func aVerbIsRequiredAndChecked() throws {
        let run = try ProgramRun.run(Repository.executable("pmctl"), ["ipmi", "lab01", "explode"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("on, off, soft, cycle, reset or status"))
    }
}
