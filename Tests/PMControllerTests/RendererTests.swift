import Foundation
import PMController
import PMProtocol
import Testing
import TestSupport

@Suite struct RendererTests {
    static let info = RunInfo(runID: "RUN-1", action: "cancel", command: "pmctl cancel lab01", hosts: ["lab01", "node7"])

    static let lab01 = HostResult(
        host: "lab01", action: "cancel", outcome: .ok, elapsedMilliseconds: 1234,
        steps: [Step("vm", name: "tst100", result: "shutdown"), Step("host", name: "lab01", result: "poweroff-accepted"),
                Step("vm", name: "tst101", result: "forced", extra: ["elapsed_ms": "20000", "detail": "still running"])],
        message: "...")

    @Test func jsonLinesAreExactlyAsTheContractShows() {
        #expect(JSONRenderer.line(for: Self.lab01) ==
            #"{"host":"lab01","action":"cancel","outcome":"ok","elapsed_ms":1234,"steps":[{"step":"vm","name":"tst100","result":"shutdown"},{"step":"host","name":"lab01","result":"poweroff-accepted"},{"step":"vm","name":"tst101","result":"forced","elapsed_ms":20000,"detail":"still running"}],"message":"..."}"#)
        let report = RunReport(info: Self.info, results: [Self.lab01, HostResult(host: "node7", action: "cancel", outcome: .timeout)],
                               interrupted: false, elapsedMilliseconds: 10)
        #expect(JSONRenderer.summaryLine(for: report) ==
            #"{"summary":{"ok":1,"failed":0,"unreachable":0,"auth":0,"hostkey":0,"timeout":1,"refused":0,"skipped":0,"unfinished":0},"run":"RUN-1"}"#)
    }

    @Test func jsonEscapesWhatItMust() {
        let result = HostResult(host: "h", action: "status", outcome: .failed, message: "quote \" backslash \\ tab \t bell \u{7}")
        let line = JSONRenderer.line(for: result)
        #expect(line.hasSuffix(#""message":"quote \" backslash \\ tab \t bell \u0007"}"#))
        let parsed = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(parsed?["message"] as? String == result.message)
    }

    @Test func jsonRendererStreamsOneLinePerHostThenTheSummary() {
        let sink = BufferSink()
        let renderer = JSONRenderer(sink: sink)
        renderer.runStarted(Self.info)
        renderer.handle(.started(host: "lab01"))
        renderer.handle(.step(host: "lab01", Step("vm", name: "tst100", result: "shutdown")))
        renderer.handle(.finished(Self.lab01))
        #expect(sink.text.split(separator: "\n").count == 1)
        renderer.runFinished(RunReport(info: Self.info, results: [Self.lab01], interrupted: true, elapsedMilliseconds: 5))
        let lines = sink.text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[1].hasSuffix(#""run":"RUN-1","interrupted":true}"#))
    }

    @Test func humanLinesAlignAndTheSummaryFoldsHosts() {
        let out = BufferSink()
        let err = BufferSink()
        let renderer = HumanRenderer(out: out, err: err, style: .plain)
        let info = RunInfo(runID: "RUN-2", action: "status", command: "", hosts: ["a1", "node-long-17", "a2", "a3"])
        renderer.runStarted(info)
        let results = [
            HostResult(host: "a1", action: "status", outcome: .ok, elapsedMilliseconds: 30, message: "up"),
            HostResult(host: "node-long-17", action: "status", outcome: .unreachable, elapsedMilliseconds: 10_000, message: "connection refused"),
            HostResult(host: "a2", action: "status", outcome: .ok, elapsedMilliseconds: 40),
            HostResult(host: "a3", action: "status", outcome: .ok, elapsedMilliseconds: 40),
        ]
        for result in results { renderer.handle(.finished(result)) }
        renderer.runFinished(RunReport(info: info, results: results, interrupted: false, elapsedMilliseconds: 10_050))
        let lines = out.text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "a1            ok             0.0s  up")
        #expect(lines[1] == "node-long-17  unreachable   10.0s  connection refused")
        #expect(lines.contains("ok           3  a[1-3]"))
        #expect(lines.contains("unreachable  1  node-long-17"))
        #expect(lines.last == "status: 4 hosts in 10.1 s, run RUN-2")
        #expect(err.text.isEmpty)  // no progress line without a terminal
    }

    @Test func progressLineOnlyWhenStderrIsATerminalAndClearedBeforeResults() {
        let out = BufferSink()
        let err = BufferSink()
        let renderer = HumanRenderer(out: out, err: err, style: TerminalStyle(color: false, progress: true))
        renderer.runStarted(Self.info)
        renderer.handle(.started(host: "lab01"))
        #expect(err.text.hasSuffix("[0/2 done, 0 not ok, 1 in flight]"))
        renderer.handle(.finished(HostResult(host: "lab01", action: "cancel", outcome: .failed)))
        // Blanked out (carriage return, spaces, carriage return) before the result, then redrawn.
        let blank = "\r" + String(repeating: " ", count: "[0/2 done, 0 not ok, 1 in flight]".count) + "\r"
        #expect(err.text.hasSuffix(blank + "\r[1/2 done, 1 not ok, 0 in flight]"))
        renderer.runFinished(RunReport(info: Self.info, results: [], interrupted: false, elapsedMilliseconds: 0))
        #expect(err.text.hasSuffix(blank))
        #expect(!err.text.contains("\u{1B}"), "no escape sequences, so NO_COLOR and dumb terminals get none")
        #expect(!out.text.contains("in flight"), "progress never goes to stdout")
    }

    @Test func colourOnlyOnATerminalAndNeverWithNO_COLOR() {
        #expect(TerminalStyle.decide(stdoutIsTerminal: true, stderrIsTerminal: true, environment: [:]).color)
        #expect(!TerminalStyle.decide(stdoutIsTerminal: false, stderrIsTerminal: true, environment: [:]).color)
        #expect(!TerminalStyle.decide(stdoutIsTerminal: true, stderrIsTerminal: true, environment: ["NO_COLOR": "1"]).color)
        #expect(TerminalStyle.decide(stdoutIsTerminal: true, stderrIsTerminal: true, environment: ["NO_COLOR": ""]).color)
        #expect(!TerminalStyle.decide(stdoutIsTerminal: true, stderrIsTerminal: false, environment: [:]).progress)

        let out = BufferSink()
        let renderer = HumanRenderer(out: out, err: BufferSink(), style: TerminalStyle(color: true, progress: false))
        renderer.runStarted(Self.info)
        renderer.handle(.finished(HostResult(host: "lab01", action: "cancel", outcome: .failed)))
        #expect(out.text.contains("\u{1B}[31mfailed     \u{1B}[0m"))
    }

    @Test func terminalDetectionSeesARealPseudoTerminal() throws {
        let terminal = try PseudoTerminal()
        #expect(FileDescriptorSink(terminal.slave).isTerminal)
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        #expect(!FileDescriptorSink(fds[1]).isTerminal)
    }
}

@Suite struct CheckTableTests {
    @Test func checkRecordsBecomeOneToolsByHostsTable() {
        let out = BufferSink(), err = BufferSink()
        let renderer = HumanRenderer(out: out, err: err, style: TerminalStyle.decide(stdoutIsTerminal: false, stderrIsTerminal: false, environment: [:]))
        func tool(_ name: String, _ path: String, _ allowed: String) -> Fields {
            ["record": "tool", "name": name, "path": path, "allowed": allowed]
        }
        renderer.runStarted(RunInfo(runID: "r", action: "check", command: "", hosts: ["b2", "a1"]))
        renderer.handle(.finished(HostResult(host: "b2", action: "check", outcome: .ok,
                                             records: [tool("poweroff", "/sbin/poweroff", "sudo"), tool("xl", "-", "missing")])))
        renderer.handle(.finished(HostResult(host: "a1", action: "check", outcome: .ok,
                                             records: [tool("poweroff", "/usr/sbin/poweroff", "root"), tool("xl", "/usr/sbin/xl", "no")])))
        renderer.runFinished(RunReport(info: RunInfo(runID: "r", action: "check", command: "", hosts: ["b2", "a1"]),
                                       results: [], interrupted: false, elapsedMilliseconds: 0))
        #expect(out.text.contains("""
            TOOL      PATH          a1    b2
            poweroff  (differs)     root  sudo
            xl        /usr/sbin/xl  no    missing
            """), "\(out.text)")
        #expect(!out.text.contains("record=tool"))
    }
}
