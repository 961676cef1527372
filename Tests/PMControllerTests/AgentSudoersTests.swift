import Foundation
import Testing
import TestSupport

/// `pmctl agent sudoers`: the rules a non-root agent needs, checked by the real visudo,
/// and the same rules as agent/deploy/sudoers.template (for installing by hand).
@Suite struct AgentSudoersTests {
    @Test func theGeneratedFilePassesVisudoAndHoldsEveryRuleOfTheTemplate() throws {
        let run = try ProgramRun.run(Repository.executable("pmctl"), ["agent", "sudoers", "--user", "pmagent"])
        #expect(run.status == 0, "\(run.stderr)")
        let template = try String(contentsOf: Repository.root.appendingPathComponent("agent/deploy/sudoers.template"), encoding: .utf8)
        let rules = template.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
            .map { $0.replacingOccurrences(of: "@AGENT_USER@", with: "pmagent") }
        #expect(rules.count >= 9)
        for rule in rules { #expect(run.stdout.contains(rule + "\n"), "missing: \(rule)") }
        // Nothing beyond the template's rules: every non-comment line is one of them.
        let lines = run.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map(String.init)
        #expect(Set(lines) == Set(rules))
    }

    @Test func aToolPathCanBeGivenPerFleet() throws {
        let run = try ProgramRun.run(Repository.executable("pmctl"), ["agent", "sudoers", "--path", "poweroff=/sbin/poweroff"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("pmagent ALL=(root) NOPASSWD: /sbin/poweroff\n"))
    }

    @Test(arguments: [
        (["--user", "x y"], "is not a login name"),
        (["--user", "root,ALL"], "is not a login name"),
        (["--path", "poweroff=sbin/poweroff"], "must be an absolute path"),
        (["--path", "poweroff=/sbin/poweroff, /bin/sh"], "must be an absolute path"),
        (["--path", "bash=/bin/bash"], "must be TOOL=PATH"),
    ])
    func badInputIsRefusedBeforeAnythingIsPrinted(_ arguments: [String], _ expected: String) throws {
        let run = try ProgramRun.run(Repository.executable("pmctl"), ["agent", "sudoers"] + arguments)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains(expected), "\(run.stderr)")
    }
}
