import Foundation
import TestSupport
import Testing

/// The built `pmctl` binary, driven as an operator would, against stand-in agents started
/// over pipes (`--agent-process`) until the SSH transport is wired in.
@Suite(.serialized) struct PMCtlCommandTests {
    typealias Run = ProgramRun

    static let example = Repository.root.appendingPathComponent("controller/examples/inventory.yaml").path

    /// Runs pmctl with `arguments`; `interruptAfter` sends it SIGINT (by its PID) after that many seconds.
    func pmctl(_ arguments: [String], lab: AgentLab? = nil, interruptAfter: Double? = nil) throws -> Run {
        var all = arguments
        if let lab {
            all += ["--agent-process", "/bin/sh", "--agent-arg", lab.script.path, "--agent-arg", lab.directory.path, "--agent-arg", "{host}"]
        }
        return try ProgramRun.run(Repository.executable("pmctl"), all, environment: ["PMCTL_INVENTORY": nil, "HOME": "/nonexistent"],
                                  interruptAfter: interruptAfter)
    }

    @Test func theCtysFormRunsAsWrittenAndStreamsJSON() throws {
        let lab = try AgentLab()
        let run = try pmctl(["-t", "pm", "-a", "cancel=1:tst100,POWEROFF:0", "lab01", "--json"], lab: lab)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.lines.count == 2)
        #expect(run.lines[0].hasPrefix(#"{"host":"lab01","action":"cancel","outcome":"ok","elapsed_ms":"#))
        #expect(run.lines[0].hasSuffix(#","steps":[{"step":"vm","name":"plain1","result":"shutdown"}],"message":""}"#))
        #expect(run.lines[1].hasPrefix(#"{"summary":{"ok":1,"failed":0,"unreachable":0,"auth":0,"hostkey":0,"timeout":0,"refused":0,"skipped":0,"unfinished":0},"run":""#))
        #expect(lab.requests("lab01") == ["REQ r1 cancel method=poweroff delay=0 self=no force=no wol=no timeout=20 type=pm label=tst100"])
    }

    @Test func globalOptionsMayComeBeforeTheSubcommandOrTheCtysForm() throws {
        let lab = try AgentLab()
        let first = try pmctl(["--json", "--timeout", "5", "status", "a1", "a2"], lab: lab)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lines.count == 3)
        let second = try pmctl(["--json", "-t", "xen", "-a", "cancel=POWEROFF:0", "b1"], lab: lab)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(lab.requests("b1").first?.contains("type=xen") == true)
    }

    @Test func humanOutputAlignsHostsAndSummarisesByOutcome() throws {
        let lab = try AgentLab()
        try lab.setMode("refuse", for: ["node03"])
        let run = try pmctl(["status", "node[01-03]", "gateway7"], lab: lab)
        #expect(run.status == 1)
        let results = run.lines.prefix(4)
        #expect(Set(results.map { $0.prefix(10) }) == ["node01    ", "node02    ", "node03    ", "gateway7  "])
        #expect(run.stdout.contains("ok       3  node[01-02],gateway7\n"))
        #expect(run.stdout.contains("refused  1  node03\n"))
        #expect(!run.stdout.contains("\u{1B}["))  // not a terminal: no colour
    }

    @Test func badUsageExitsTwoAndSaysWhy() throws {
        let bad = try pmctl(["-t", "pm", "-a", "cancel=1:tst100,POWEROF:0", "lab01"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unknown cancel part 'POWEROF:0' (at 2nd part)"))
        let empty = try pmctl(["-t", "pm", "-a", "cancel=POWEROFF"])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("no target hosts"))
        let many = try pmctl(["status", "n[1-11]", "--agent-process", "/bin/true"])
        #expect(many.status == 2)
        #expect(many.stderr.contains("pass --yes"))
        let inventory = try pmctl(["status", "lab01", "--inventory", "/nonexistent/inventory.yaml"])
        #expect(inventory.status == 2)
        #expect(inventory.stderr.contains("/nonexistent/inventory.yaml"))
        let option = try pmctl(["cancel", "--method", "poweroffx", "lab01"])
        #expect(option.status == 2)
        #expect(option.stderr.contains("--method must be"))
    }

    @Test func largeTargetSetsGoAheadWithYes() throws {
        let lab = try AgentLab()
        let run = try pmctl(["status", "n[1-11]", "--yes", "--json"], lab: lab)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.lines.count == 12)
    }

    @Test func ctrlCEndsTheRunWith130AndReportsWhatFinished() throws {
        let lab = try AgentLab()
        try lab.setMode("hang", for: ["h2", "h3"])
        let run = try pmctl(["status", "h1", "h2", "h3", "--timeout", "30", "--json"], lab: lab, interruptAfter: 1.0)
        #expect(run.status == 130)
        #expect(run.lines.contains { $0.hasPrefix(#"{"host":"h1","action":"status","outcome":"ok""#) })
        #expect(run.lines.contains { $0.hasPrefix(#"{"host":"h2","action":"status","outcome":"unfinished""#) })
        #expect(run.lines.last?.contains(#""unfinished":2"#) == true)
    }

    @Test func dryRunPrintsEachSeedLinesPlanAndTouchesNothing() throws {
        let lab = try AgentLab()
        let seeds = SeedLines.ctysForms
        for seed in seeds {
            let run = try pmctl(seed.split(separator: " ").map(String.init) + ["--dry-run", "--inventory", Self.example], lab: lab)
            #expect(run.status == 0, "\(seed): \(run.stderr)")
            #expect(run.stdout.hasPrefix("dry run: "), "\(seed)")
        }
        #expect(lab.journal().isEmpty)
        let s1 = try pmctl(seeds[0].split(separator: " ").map(String.init) + ["--dry-run", "--inventory", Self.example])
        #expect(s1.stdout.contains("lab01 [sends the magic packet for hostX]: REQ r1 wake mac=02:77:00:00:01:50 broadcast=10.77.1.255 ports=9"))
        let s8 = try pmctl(seeds[7].split(separator: " ").map(String.init) + ["--dry-run", "--inventory", Self.example])
        #expect(s8.stdout.contains("lab01 [execution host]: REQ r1 cancel method=reboot delay=30 self=yes force=no wol=no timeout=20 type=pm label=tst001 handled=tst100,tst101"))
        #expect(s8.stdout.contains("then confirm lab01 answers with a new boot id"))
    }

    @Test func theCtysConsoleFormOpensACLIConsoleWhichNeedsATerminal() throws {
        let run = try pmctl(["-t", "pm", "-a", "create=CONSOLE:cli", "lab01", "--inventory", Self.example])
        #expect(run.status == 2)
        #expect(run.stderr.contains("lab01: a CLI console needs a terminal on standard input"), "\(run.stderr)")
    }

    @Test func helpShowsTheSeedLines() throws {
        let run = try pmctl(["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("S3   pmctl -t pm -a cancel=1:tst100,POWEROFF:0 lab01"))
        #expect(run.stdout.contains("also 1:"))
        #expect(run.stdout.contains("WARNING: FORCE"))
    }
}
