import Foundation
import PMProtocol
import Testing
import TestSupport

@testable import PMAgent

#if canImport(Glibc)
import Glibc
#endif

/// The tool runner and the parsers it feeds, tested in-process.
@Suite("ToolRunner and parsers")
struct ToolRunnerTests {
    func runner(_ fixture: AgentFixture, systemTools: Bool = false) -> ToolRunner {
        var configuration = AgentConfiguration()
        configuration.toolDirectories = [fixture.tools]
        configuration.searchSystemDirectories = systemTools
        return ToolRunner(configuration: configuration, log: AgentLog(minimum: .error, useSyslog: false))
    }

    @Test("Tools are found in the tool directories first, then the system directories, never via PATH")
    func toolsResolveFromToolDirectoriesThenSystem() throws {
        let fixture = try AgentFixture()
        try fixture.fake("ip")
        #expect(runner(fixture).locate(.ip) == "\(fixture.tools)/ip")
        #expect(runner(fixture).locate(.ethtool) == nil)
        let system = runner(fixture, systemTools: true).locate(.ethtool)
        #expect(system.map { AgentConfiguration.systemDirectories.contains(($0 as NSString).deletingLastPathComponent) } == true)
        // A file that is not executable is not a tool.
        try fixture.write("#!/bin/sh\n", to: fixture.tools + "/xl")
        #expect(runner(fixture).locate(.xl) == nil)
    }

    @Test("Both output streams are read while the tool runs, so a tool filling both pipes cannot deadlock")
    func largeOutputOnBothStreamsIsCaptured() throws {
        let fixture = try AgentFixture()
        // 1 MiB on each stream, interleaved: far beyond a pipe's 64 KiB.
        try fixture.fake("xl", "head -c 1048576 /dev/zero | tr '\\\\0' o & head -c 1048576 /dev/zero | tr '\\\\0' e >&2; wait")
        let result = try runner(fixture).run(.xl, ["list"], timeout: 20)
        #expect(result.exitCode == 0)
        #expect(result.stdout.count == 1_048_576)
        #expect(result.stderr.count == 1_048_576)
    }

    @Test("A tool that overruns its timeout is killed with its whole process group and reported as timeout")
    func timeoutKillsProcessGroup() throws {
        let fixture = try AgentFixture()
        try fixture.fake("xl", "sleep 30 & echo $! > '\(fixture.root)/child.pid'; sleep 30")
        let started = Date()
        #expect(throws: AgentError.self) { try runner(fixture).run(.xl, ["list"], timeout: 1) }
        do {
            _ = try runner(fixture).run(.xl, ["list"], timeout: 0.5)
        } catch {
            #expect(error.code == .timeout)
            #expect(error.extra.text("tool") == "xl")
        }
        #expect(Date().timeIntervalSince(started) < 10)
        // The tool's own child was killed too.
        let pid = try #require(Int32((try String(contentsOfFile: fixture.root + "/child.pid", encoding: .utf8))
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        // Gone, or a zombie waiting for this machine's lazy PID 1 to reap it: not running.
        usleep(200_000)
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        #expect(stat.isEmpty || state == "Z", "the tool's child \(pid) still runs: \(stat)")
    }

    @Test("A failing tool is tool-failed with its exit code and the tail of its stderr")
    func failingToolReportsExitAndStderr() throws {
        let fixture = try AgentFixture()
        try fixture.fake("xl", "echo 'libxl: error: cannot connect' >&2; exit 3")
        do {
            try runner(fixture).runChecked(.xl, ["list"])
            Issue.record("expected a failure")
        } catch {
            #expect(error.code == .toolFailed)
            #expect(error.extra.text("exit") == "3")
            #expect(error.extra.text("stderr") == "libxl: error: cannot connect\n")
        }
    }

    @Test("stdin reaches the tool and arguments arrive unchanged, whatever their characters")
    func argumentsAndInputArriveVerbatim() throws {
        let fixture = try AgentFixture()
        try fixture.fake("wall", "cat > '\(fixture.root)/stdin'")
        _ = try runner(fixture).run(.wall, ["a b", "$(x)", "'q'"], input: Array("hello\n".utf8))
        #expect(fixture.record == ["wall a b $(x) 'q'"])
        #expect(try String(contentsOfFile: fixture.root + "/stdin", encoding: .utf8) == "hello\n")
    }

    @Test("xl list output is parsed into guests, skipping the header, Domain-0 and warnings")
    func xenListIsParsed() {
        let output = """
            WARNING: something odd
            Name                                        ID   Mem VCPUs\tState\tTime(s)
            Domain-0                                     0  1024     4     r-----      67.2
            tst100                                       3   512     1     -b----       1.5
            web.1                                       12  2048     2     --p---       0.1
            """
        #expect(XenStack.parseList(output) == [
            Guest(name: "tst100", state: "blocked", isActive: true),
            Guest(name: "web.1", state: "paused", isActive: true),
        ])
    }

    @Test("ethtool's Wake-on lines are parsed; none means no support")
    func ethtoolWakeOnIsParsed() {
        let settings = WakeOnLanSettings(ethtoolOutput: "Settings for eth0:\n\tSupports Wake-on: pumbg\n\tWake-on: d\n")
        #expect(settings.supportsMagicPacket)
        #expect(!settings.magicPacketArmed)
        let veth = WakeOnLanSettings(ethtoolOutput: "Settings for v0:\n\tLink detected: yes\n")
        #expect(!veth.supportsMagicPacket)
        #expect(veth.supported == "")
    }

    @Test("The configuration file's errors name the file and line")
    func configurationErrorsNameFileAndLine() throws {
        let parsed = try AgentConfiguration.parse(file: "/etc/pmagent.conf", contents: """
            # tools first
            tool-dir = /opt/pm/tools
            libvirt-uri = test:///x.xml   # for the lab
            system-tools = no
            """)
        #expect(parsed.toolDirectories == ["/opt/pm/tools"])
        #expect(parsed.libvirtURI == "test:///x.xml")
        #expect(!parsed.searchSystemDirectories)
        #expect(throws: AgentConfiguration.Problem("/etc/pmagent.conf:2: unknown key 'color' (known: tool-dir, libvirt-uri, sysroot, system-tools)")) {
            try AgentConfiguration.parse(file: "/etc/pmagent.conf", contents: "\ncolor = blue\n")
        }
        #expect(throws: AgentConfiguration.Problem("/etc/pmagent.conf:1: tool-dir 'tools' must be an absolute path")) {
            try AgentConfiguration.parse(file: "/etc/pmagent.conf", contents: "tool-dir = tools\n")
        }
        #expect(throws: AgentConfiguration.Problem("/etc/pmagent.conf:1: sysroot '/srv/../etc' must not contain '..'")) {
            try AgentConfiguration.parse(file: "/etc/pmagent.conf", contents: "sysroot = /srv/../etc\n")
        }
    }
}

@Suite struct ToolThatLeavesAChildBehindTests {
    @Test func aToolThatExitsButLeavesAChildHoldingItsPipesReportsItsOwnExit() throws {
        let started = Clock.now()
        // The shell exits 3 at once; its background sleep keeps stdout and stderr open for 4 s.
        // (Kept short: it also holds whatever descriptors other tests' threads leaked into it.)
        let output = try ChildProcess.run(["/bin/sh", "-c", "sleep 4 & echo done; exit 3"], timeout: 20)
        #expect(output.termination == .exited(3))
        #expect(String(decoding: output.stdout, as: UTF8.self) == "done\n")
        #expect(Clock.now() - started < 3.5, "not held until the background child ends")
    }
}

@Suite struct ToolStillOpenForWritingTests {
    /// A tool whose file is still open for writing (as in a forked child holding the writer's
    /// descriptor, or a package upgrade replacing it) is started once the writer closes it,
    /// not reported as a tool that cannot start.
    @Test func aToolStillOpenForWritingStartsOnceItIsClosed() throws {
        let folder = try TemporaryDirectory("pmagent-etxtbsy")
        defer { folder.remove() }
        let tool = try ScriptStillBeingWritten(in: folder, script: "#!/bin/sh\necho started\n")

        let output = try ChildProcess.run([tool.path], timeout: 10)
        #expect(output.termination == .exited(0))
        #expect(String(decoding: output.stdout, as: UTF8.self) == "started\n")
    }
}
