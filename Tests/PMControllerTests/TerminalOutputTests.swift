import Foundation
import Testing
import TestSupport

/// The built pmctl's human output with real pseudo-terminals on stdout and stderr:
/// colours only on a terminal and never with NO_COLOR (or TERM=dumb), the live progress
/// line only on stderr, so a piped stdout carries nothing but the results.
@Suite(.serialized) struct TerminalOutputTests {
    static let escape = "\u{1B}"

    /// `status` over five stand-in agents, node05 refusing; `terminal`: which of stdout (1)
    /// and stderr (2) are a terminal.
    func status(terminal: Set<Int32>, environment: [String: String?] = [:]) throws -> ProgramRun {
        let lab = try AgentLab()
        try lab.setMode("refuse", for: ["node05"])
        let state = try TemporaryDirectory()
        defer { state.remove() }
        var changes: [String: String?] = ["PMCTL_INVENTORY": nil, "HOME": "/nonexistent", "NO_COLOR": nil, "TERM": "xterm"]
        for (key, value) in environment { changes[key] = value }
        return try ProgramRun.run(Repository.executable("pmctl"),
                                  ["status", "node[01-03]", "node07", "node05", "--state", state.path,
                                   "--agent-process", "/bin/sh", "--agent-arg", lab.script.path, "--agent-arg", lab.directory.path,
                                   "--agent-arg", "{host}"],
                                  environment: changes, timeout: 60, terminal: terminal)
    }

    /// Lines as the terminal shows them: colours removed, each line what follows its last
    /// carriage return (the progress line is blanked out that way before each result).
    func screenLines(_ text: String) -> [String] {
        let plain = text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        return plain.components(separatedBy: "\r\n").map { $0.components(separatedBy: "\r").last ?? "" }
    }

    @Test func onATerminalOutcomesAreColouredAlignedAndProgressShows() throws {
        let run = try status(terminal: [1, 2])
        #expect(run.status == 1, "\(run.terminal)")
        #expect(run.terminal.contains("\u{1B}[32mok"), "\(run.terminal)")
        #expect(run.terminal.contains("\u{1B}[31mrefused"), "\(run.terminal)")
        #expect(run.terminal.contains("in flight]"))
        // Colour codes take no columns: the outcome column starts at the same place on every host line.
        let hostLines = screenLines(run.terminal).filter { $0.hasPrefix("node") }
        #expect(hostLines.count == 5, "\(screenLines(run.terminal))")
        let columns = Set(hostLines.map { line in
            [" ok ", " refused "].compactMap { line.range(of: $0) }.map { line.distance(from: line.startIndex, to: $0.lowerBound) + 1 }.min()
        })
        #expect(columns == [8], "\(hostLines)")
        // The summary: grouped by outcome, each group's hosts folded into a node set.
        #expect(screenLines(run.terminal).contains("ok       4  node[01-03,07]"), "\(screenLines(run.terminal))")
        #expect(screenLines(run.terminal).contains("refused  1  node05"), "\(screenLines(run.terminal))")
    }

    @Test(arguments: [["NO_COLOR": "1"], ["TERM": "dumb"]])
    func aTerminalGetsNoEscapesWithNoColourOrADumbTerminal(_ environment: [String: String]) throws {
        let run = try status(terminal: [1, 2], environment: environment)
        #expect(run.status == 1)
        #expect(!run.terminal.contains(Self.escape), "\(environment): \(run.terminal.debugDescription)")
        #expect(run.terminal.contains("in flight]"), "the progress line needs no escapes")
        #expect(screenLines(run.terminal).contains("refused  1  node05"), "\(screenLines(run.terminal))")
    }

    @Test func withoutATerminalThereAreNoEscapesAndNoProgress() throws {
        let run = try status(terminal: [])
        #expect(run.status == 1)
        #expect(!run.stdout.contains(Self.escape) && !run.stderr.contains(Self.escape))
        #expect(run.stderr.isEmpty, "\(run.stderr)")
        #expect(run.lines.count == 5 + 3, "five hosts, two outcome groups, the closing line: \(run.stdout)")
    }

    @Test func aPipedStdoutCarriesOnlyResultsWhileProgressGoesToTheTerminal() throws {
        let run = try status(terminal: [2])
        #expect(run.status == 1)
        #expect(!run.stdout.contains(Self.escape) && !run.stdout.contains("\r") && !run.stdout.contains("in flight"),
                "\(run.stdout.debugDescription)")
        #expect(run.lines.count == 5 + 3, "\(run.stdout)")
        #expect(run.terminal.contains("in flight]"), "\(run.terminal.debugDescription)")
        #expect(!run.terminal.contains("node01 "), "results go to stdout only: \(run.terminal.debugDescription)")
        #expect(!run.terminal.contains(Self.escape), "stderr has no colour: \(run.terminal.debugDescription)")
    }
}
