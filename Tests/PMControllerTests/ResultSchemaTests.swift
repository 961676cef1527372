import Foundation
import Testing
import TestSupport

/// `controller/examples/result.schema.json` documents every `--json` line: the lines of
/// real runs (real sshd and pmagent on loopback, the stand-in agents, ipmi_sim, dry runs,
/// the journal) all match it, and the validator is strict enough to reject a bad line.
@Suite(.serialized) struct ResultSchemaTests {
    static let example = Repository.root.appendingPathComponent("controller/examples/inventory.yaml").path

    @Test func aLineMissingAFieldOrWithAnUnknownValueIsRejected() throws {
        let schema = try JSONSchema.results()
        let good = #"{"host":"lab01","action":"cancel","outcome":"ok","elapsed_ms":1234,"steps":[{"step":"vm","name":"tst100","result":"shutdown","hypervisor":"libvirt","elapsed_ms":840},{"step":"host","name":"lab01","result":"poweroff-accepted","delay":0}],"message":""}"#
        #expect(schema.violations(ofLine: good) == [])
        let summary = #"{"summary":{"ok":1,"failed":0,"unreachable":0,"auth":0,"hostkey":0,"timeout":0,"refused":0,"skipped":0,"unfinished":0},"run":"20261125-153012-7f3a"}"#
        #expect(schema.violations(ofLine: summary) == [])
        // A later agent may add step keys (PROTOCOL.md); pmctl passes them through as text or numbers.
        let newerAgent = good.replacingOccurrences(of: #""delay":0"#, with: #""delay":0,"grace":"30s","tries":2"#)
        #expect(schema.violations(ofLine: newerAgent) == [])

        let bad: [(String, String)] = [
            (good.replacingOccurrences(of: #""host":"lab01","#, with: ""), "'host' is missing"),
            (good.replacingOccurrences(of: #""outcome":"ok""#, with: #""outcome":"maybe""#), "'maybe' is not one of"),
            (good.replacingOccurrences(of: #""elapsed_ms":1234"#, with: #""elapsed_ms":"1234""#), "is not of type integer"),
            (good.replacingOccurrences(of: #""message":"""#, with: #""message":"","colour":"red""#), "unexpected key 'colour'"),
            (good.replacingOccurrences(of: #""result":"shutdown""#, with: #""result":"shutdwn""#), "'shutdwn' is not one of"),
            (good.replacingOccurrences(of: #""step":"host""#, with: #""step":"hots""#), "$.steps[1]"),
            (good.replacingOccurrences(of: #""delay":0"#, with: #""delay":-1"#), "-1 is less than 0"),
            (good.replacingOccurrences(of: #""delay":0"#, with: #""delay":0,"grace":{"s":30}"#), "$.steps[1]"),
            (summary.replacingOccurrences(of: #""hostkey":0,"#, with: ""), "'hostkey' is missing"),
            (summary.replacingOccurrences(of: #""run":"20261125-153012-7f3a""#, with: #""run":"yesterday""#), "does not match"),
            (summary.replacingOccurrences(of: #"7f3a"}"#, with: #"7f3a","interrupted":1}"#), "1 is not true"),
            ("{\"host\":\"lab01\"", "not a JSON value"),
            ("[]", "is not of type object"),
        ]
        for (line, expected) in bad {
            let violations = schema.violations(ofLine: line)
            #expect(!violations.isEmpty, "accepted: \(line)")
            #expect(violations.contains { $0.contains(expected) }, "\(line): \(violations)")
        }
        #expect(schema.violations(ofLines: good + "\n\n" + summary + "\n").count == 1, "an empty line between two lines is one violation")
    }

    @Test func aSchemaKeywordTheValidatorDoesNotKnowIsRefusedWhenLoaded() throws {
        #expect(throws: JSONSchema.Unsupported.self) { try JSONSchema(.object(["type": .string("string"), "maxLength": .integer(3)])) }
        #expect(throws: JSONSchema.Unsupported.self) { try JSONSchema(.object(["$ref": .string("#/$defs/nothing")])) }
        _ = try JSONSchema.results()
    }

    @Test func everyJSONLineOfRealRunsMatchesTheSchema() throws {
        let world = try SchemaWorld()
        defer { world.remove() }
        var output: [(String, ProgramRun)] = []
        func run(_ arguments: [String], agentProcess: [String] = [], interruptAfter: Double? = nil) throws {
            let all = ["--inventory", world.inventory, "--state", world.state, "--json"] + arguments + agentProcess
            output.append((arguments.joined(separator: " "), try ProgramRun.run(
                Repository.executable("pmctl"), all, environment: ["SSH_AUTH_SOCK": nil, "HOME": world.files.path, "PMCTL_IPMI_PASSWORD": nil],
                interruptAfter: interruptAfter)))
        }
        let agent = Repository.executable("pmagent").path
        let realAgent = ["--agent-process", agent] + ["serve", "--no-system-tools", "--tool-dir", world.tools, "--libvirt-uri", "test:///default"]
            .map { "--agent-arg=" + $0 }
        let lab = try AgentLab()
        try lab.setMode("refuse", for: ["f-refused"])
        try lab.setMode("sticky", for: ["f-sticky"])
        try lab.setMode("hang", for: ["f-hang"])
        let fakeAgent = ["--agent-process", "/bin/sh", "--agent-arg", lab.script.path, "--agent-arg", lab.directory.path, "--agent-arg", "{host}"]

        // Over SSH: ok, auth, hostkey, unreachable, timeout; a query's facts.
        try run(["--connect-timeout", "3", "--timeout", "3", "status", "h-ok", "h-auth", "h-unknown", "h-closed", "h-silent"])
        // The real agent over pipes: check's and info's records, a cancel's guest steps (the
        // libvirt test driver), and a SELF poweroff with a recording poweroff that never
        // takes the host down (notice, host, confirm unconfirmed: failed).
        try run(["check", "local"], agentProcess: realAgent)
        try run(["info", "local"], agentProcess: realAgent)
        try run(["cancel", "local"], agentProcess: realAgent)
        try run(["cancel", "local", "--self", "--delay", "0", "--confirm-timeout", "1"], agentProcess: realAgent)
        // Stand-in agents: refused, confirmed poweroff and reboot, an unconfirmed reboot, Ctrl-C.
        try run(["status", "f-refused"], agentProcess: fakeAgent)
        try run(["cancel", "f-down", "--self", "--delay", "0"], agentProcess: fakeAgent)
        try run(["cancel", "f-reboot", "--self", "--method", "reboot", "--delay", "0", "--confirm-timeout", "5"], agentProcess: fakeAgent)
        try run(["cancel", "f-sticky", "--self", "--method", "reboot", "--delay", "0", "--confirm-timeout", "1"], agentProcess: fakeAgent)
        try run(["status", "f-ok", "f-hang", "--timeout", "30"], agentProcess: fakeAgent, interruptAfter: 1.5)
        // Wakes: already up (SSH), sent from here, sent by a relay agent (over SSH), all to loopback.
        try run(["wake", "h-ok"])
        try run(["wake", "w-here", "--mac", "02:77:00:00:00:99", "--broadcast", "127.0.0.1", "--no-wait"])
        try run(["wake", "w-relayed", "--via", "h-ok", "--mac", "02:77:00:00:00:98", "--broadcast", "127.0.0.1", "--no-wait"])
        // A BMC (ipmi_sim) and a host without one.
        try run(["ipmi", "--bmc-interval", "0.2", "bmc-ok", "no-bmc", "status"])
        // Dry runs of every seed line (the example inventory), and of an IPMI command.
        for seed in SeedLines.arguments { try run(["--inventory", Self.example, "--dry-run"] + seed) }
        try run(["--inventory", Self.example, "--dry-run", "ipmi", "lab01", "status"])
        // The journal: the runs, and one run's hosts.
        try run(["history", "--last", "50"])
        let anyRun = try #require(output.first.flatMap { $0.1.lines.last.flatMap { try? JSONValue.parse($0)["run"]?.text } })
        try run(["history", anyRun])

        let schema = try JSONSchema.results()
        var outcomes: Set<String> = []
        var steps: Set<String> = []
        var keys: Set<String> = []
        for (command, result) in output {
            #expect([0, 1, 130].contains(result.status), "\(command): \(result.status) \(result.stderr)")
            #expect(!result.stdout.isEmpty, "\(command): no output; \(result.stderr)")
            #expect(schema.violations(ofLines: result.stdout) == [], "\(command)")
            for line in result.lines {
                guard case .object(let fields)? = try? JSONValue.parse(line) else { continue }
                keys.formUnion(fields.keys)
                if let outcome = fields["outcome"]?.text { outcomes.insert(outcome) }
                if case .array(let list)? = fields["steps"] {
                    for step in list { steps.insert("\(step["step"]?.text ?? "") \(step["result"]?.text ?? "")") }
                }
            }
        }
        // The runs reach every outcome and the line kinds and fields the schema describes.
        #expect(outcomes == ["ok", "failed", "unreachable", "auth", "hostkey", "timeout", "refused", "skipped", "unfinished"])
        #expect(steps.isSuperset(of: ["vm shutdown", "notice sent", "host poweroff-accepted", "host reboot-accepted",
                                      "confirm down", "confirm up-new-boot", "confirm unconfirmed",
                                      "wake already-up", "wake sent", "power off"]), "\(steps.sorted())")
        #expect(keys.isSuperset(of: ["summary", "interrupted", "counts", "facts", "records", "plan", "via"]), "\(keys.sorted())")
    }
}

/// The hosts of the schema test: a real sshd with the real agent (and ways to fail it),
/// a BMC simulator, and a tool folder with a recording poweroff and wall.
final class SchemaWorld {
    let files: TemporaryDirectory
    let sshd: SSHDaemon
    let closed: ClosedPort
    let silent: SilentListener
    let bmc: IPMISimulator
    var inventory: String { files.file("inventory.yaml") }
    var state: String { files.file("state") }
    var tools: String { files.file("tools") }

    init() throws {
        files = try TemporaryDirectory()
        sshd = try SSHDaemon(forcedCommand: "\(Repository.executable("pmagent").path) serve --no-system-tools")
        closed = try ClosedPort()
        silent = try SilentListener()
        bmc = try IPMISimulator(initialPower: false)
        try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true)
        for tool in ["poweroff", "wall"] {
            try files.write("tools/\(tool)", "#!/bin/sh\necho \(tool) \"$@\" >> \(files.file("tools.record"))\ncat >/dev/null\n", mode: 0o755)
        }
        let stranger = try sshd.makeUnauthorizedKey()
        func entry(_ name: String, port: Int, key: String? = nil, knownHosts: String? = nil) -> String {
            "  \(name):\n    address: 127.0.0.1\n    port: \(port)\n    user: root\n"
                + "    identity: \(key ?? sshd.clientKey.privateKeyPath)\n    known_hosts: \(knownHosts ?? sshd.knownHostsPath)\n"
        }
        try files.write("inventory.yaml", "hosts:\n"
            + entry("h-ok", port: sshd.port)
            + entry("h-auth", port: sshd.port, key: stranger.privateKeyPath)
            + entry("h-unknown", port: sshd.port, knownHosts: try sshd.makeEmptyKnownHosts())
            + entry("h-closed", port: closed.port)
            + entry("h-silent", port: silent.port)
            + "  bmc-ok:\n    ipmi: {address: 127.0.0.1, port: \(bmc.port), user: \(bmc.user), password_file: \(bmc.passwordFile)}\n"
            + "  no-bmc:\n    address: 127.0.0.1\n"
            // Wake targets: not up (a closed port), so the packet goes out; never a DNS name.
            + entry("w-here", port: closed.port) + entry("w-relayed", port: closed.port))
    }

    func remove() {
        sshd.stopAndRemoveFiles()
        bmc.stop()
        files.remove()
    }
}
