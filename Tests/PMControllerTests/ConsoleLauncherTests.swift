import Foundation
import Testing
import TestSupport

/// The console kinds that start a local program: xterm, gnome-terminal, emacs and a VNC
/// viewer. `PMCTL_PROGRAM_PATH` points pmctl at recording fakes that write their argv to a
/// file, so the tests assert the exact command lines; the VNC fake also talks through the
/// tunnel to a real TCP service behind a real sshd.
@Suite(.serialized) struct ConsoleLauncherTests {
    /// A folder of fake programs; each writes its arguments, one a line, to NAME.argv.
    struct FakePrograms {
        let directory: TemporaryDirectory

        init() throws { directory = try TemporaryDirectory("pmcon-fakes") }

        func add(_ name: String, exitStatus: Int32 = 7, extra: String = "") throws {
            try directory.write(name, """
                #!/bin/bash
                for argument in "$@"; do printf '%s\\n' "$argument"; done > \(directory.file(name + ".argv"))
                \(extra)
                exit \(exitStatus)
                """, mode: 0o755)
        }

        func arguments(of name: String) -> [String]? {
            (try? String(contentsOfFile: directory.file(name + ".argv"), encoding: .utf8))
                .map { $0.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
        }
    }

    let pmctl = Repository.executable("pmctl").path

    func console(_ arguments: [String], programs: String) throws -> ProgramRun {
        try ProgramRun.run(URL(fileURLWithPath: pmctl), arguments, environment: ["PMCTL_PROGRAM_PATH": programs], timeout: 60)
    }

    /// An inventory whose file name holds a space and a double quote, to prove the quoting
    /// of the command lines handed on.
    func inventory(_ files: TemporaryDirectory, _ body: String = "hosts:\n  box:\n    address: 127.0.0.1\n") throws -> String {
        try files.write("inv \"lab\".yaml", body)
        return files.file("inv \"lab\".yaml")
    }

    /// `box` reached through `sshd`, its console login the sshd's client key.
    func inventory(_ files: TemporaryDirectory, reaching sshd: SSHDaemon, _ more: String = "") throws -> String {
        try inventory(files, """
            hosts:
              box:
                address: 127.0.0.1
                port: \(sshd.port)
                known_hosts: \(sshd.knownHostsPath)
                console_user: \(sshd.user)
                console_identity: \(sshd.clientKey.privateKeyPath)

            """ + more)
    }

    @Test func terminalsAndEmacsAreToldToRunTheCLIConsoleWithThisRunsOptions() throws {
        let fakes = try FakePrograms()
        let files = try TemporaryDirectory("pmcon")
        defer { fakes.directory.remove(); files.remove() }
        for program in ["xterm", "gnome-terminal", "emacs"] { try fakes.add(program) }
        let inventory = try inventory(files)
        let options = ["--inventory", inventory, "--known-hosts", "/k/known_hosts", "--identity", "/k/id_ed25519",
                       "--user", "ops", "--port", "2222"]
        let cli = [pmctl] + options + ["console", "box", "--kind", "cli"]

        let xterm = try console(options + ["console", "box", "--kind", "xterm"], programs: fakes.directory.path)
        #expect(xterm.status == 7, "pmctl ends with the terminal's exit status: \(xterm.stderr)")
        #expect(fakes.arguments(of: "xterm") == ["-T", "pmctl console box", "-e"] + cli)

        let gterm = try console(options + ["console", "box", "--kind", "gterm"], programs: fakes.directory.path)
        #expect(gterm.status == 7, "\(gterm.stderr)")
        #expect(fakes.arguments(of: "gnome-terminal") == ["--title", "pmctl console box", "--"] + cli)

        let emacs = try console(options + ["console", "box", "--kind", "emacs"], programs: fakes.directory.path)
        #expect(emacs.status == 7, "\(emacs.stderr)")
        let quotedInventory = inventory.replacingOccurrences(of: "\"", with: "\\\"")
        #expect(fakes.arguments(of: "emacs") == [
            "--eval",
            "(switch-to-buffer (make-term \"box\" \"\(pmctl)\" nil \"--inventory\" \"\(quotedInventory)\" "
                + "\"--known-hosts\" \"/k/known_hosts\" \"--identity\" \"/k/id_ed25519\" \"--user\" \"ops\" \"--port\" \"2222\" "
                + "\"console\" \"box\" \"--kind\" \"cli\"))",
        ])
    }

    @Test func theCtysFormLaunchesTheSameWay() throws {
        let fakes = try FakePrograms()
        let files = try TemporaryDirectory("pmcon")
        defer { fakes.directory.remove(); files.remove() }
        try fakes.add("xterm", exitStatus: 0)
        let inventory = try inventory(files)
        let run = try console(["--inventory", inventory, "-t", "pm", "-a", "create=CONSOLE:xterm", "box"], programs: fakes.directory.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(fakes.arguments(of: "xterm") == ["-T", "pmctl console box", "-e", pmctl, "--inventory", inventory, "console", "box", "--kind", "cli"])
    }

    @Test func aMissingProgramIsAnErrorNamingTheDebianPackage() throws {
        let empty = try TemporaryDirectory("pmcon-empty")
        let files = try TemporaryDirectory("pmcon")
        let closed = try ClosedPort()
        defer { empty.remove(); files.remove() }
        // A host nobody answers for: the error must come before any connection is tried.
        let inventory = try inventory(files, "hosts:\n  box:\n    address: 127.0.0.1\n    port: \(closed.port)\n")
        let expected = ["xterm": "install the Debian package 'xterm'", "gterm": "install the Debian package 'gnome-terminal'",
                        "emacs": "install the Debian package 'emacs'",
                        "vnc": "install the Debian package 'tigervnc-viewer' (or 'xtightvncviewer')"]
        for (kind, message) in expected {
            let run = try console(["--inventory", inventory, "console", "box", "--kind", kind], programs: empty.path)
            #expect(run.status == 2, "\(kind): \(run.stderr)")
            #expect(run.stderr.contains(message), "\(kind): \(run.stderr)")
        }
    }

    @Test func vncTunnelsTheDisplayToALocalPortAndStartsTheViewerOnIt() throws {
        let sshd = try SSHDaemon()
        let service = try TCPEchoServer()  // stands in for the VNC server on the host
        let fakes = try FakePrograms()
        let files = try TemporaryDirectory("pmcon")
        defer { service.stop(); sshd.stopAndRemoveFiles(); fakes.directory.remove(); files.remove() }
        // The fake viewer makes two connections through the port it was given, each sending
        // its own bytes and recording what came back.
        try fakes.add("vncviewer", exitStatus: 5, extra: """
            port=${1##*::}
            for n in 1 2; do
              exec 3<>/dev/tcp/127.0.0.1/$port || exit 9
              printf 'hello-%s' $n >&3
              IFS= read -r -t 10 -N 7 reply <&3
              printf '%s\\n' "$reply" >> \(fakes.directory.file("replies"))
              exec 3<&-
            done
            """)
        let inventory = try inventory(files, reaching: sshd, "    vnc_display: \(service.port - 5900)\n")
        let run = try console(["--inventory", inventory, "console", "box", "--kind", "vnc"], programs: fakes.directory.path)
        #expect(run.status == 5, "pmctl ends with the viewer's exit status: \(run.stderr)")
        let arguments = fakes.arguments(of: "vncviewer") ?? []
        // The address, not localhost (which may mean ::1, where the forward does not listen).
        #expect(arguments.count == 1 && arguments[0].hasPrefix("127.0.0.1::"), "\(arguments)")
        let port = Int(arguments.first?.dropFirst("127.0.0.1::".count) ?? "") ?? 0
        #expect(port > 0)
        #expect(run.stderr.contains("127.0.0.1::\(port)"), "pmctl says where the display is: \(run.stderr)")
        let replies = (try? String(contentsOfFile: fakes.directory.file("replies"), encoding: .utf8)) ?? ""
        #expect(replies == "hello-1\nhello-2\n", "bytes went through the tunnel and back on both connections")
        #expect(!LoopbackPort.accepts(port), "the tunnel's port is closed once the viewer is gone")
    }

    @Test func aViewerThatForksIntoTheBackgroundKeepsTheTunnelUntilItsChildEnds() throws {
        let sshd = try SSHDaemon()
        let service = try TCPEchoServer()
        let fakes = try FakePrograms()
        let files = try TemporaryDirectory("pmcon")
        defer { service.stop(); sshd.stopAndRemoveFiles(); fakes.directory.remove(); files.remove() }
        // The viewer's own process exits at once; a child it left in the background (in a
        // session of its own, as a daemon would) connects a second later.
        try fakes.add("vncviewer", exitStatus: 3, extra: """
            port=${1##*::}
            setsid bash -c '
              sleep 1
              exec 3<>/dev/tcp/127.0.0.1/'$port' || exit 9
              printf background >&3
              IFS= read -r -t 10 -N 10 reply <&3
              printf "%s\\n" "$reply" > \(fakes.directory.file("replies"))
            ' </dev/null >/dev/null 2>&1 &
            """)
        let inventory = try inventory(files, reaching: sshd, "    vnc_display: \(service.port - 5900)\n")
        let run = try console(["--inventory", inventory, "console", "box", "--kind", "vnc"], programs: fakes.directory.path)
        #expect(run.status == 3, "pmctl ends with the viewer's own exit status: \(run.stderr)")
        let replies = (try? String(contentsOfFile: fakes.directory.file("replies"), encoding: .utf8)) ?? ""
        #expect(replies == "background\n", "the background child still had the tunnel: \(run.stderr)")
    }

    @Test func runningOutOfDescriptorsForViewerConnectionsDoesNotMakeTheTunnelSpin() throws {
        let sshd = try SSHDaemon()
        let service = try TCPEchoServer()
        let fakes = try FakePrograms()
        let files = try TemporaryDirectory("pmcon")
        defer { service.stop(); sshd.stopAndRemoveFiles(); fakes.directory.remove(); files.remove() }
        // pmctl may hold only a few descriptors (a low soft limit); the viewer (which raises
        // its own) opens more connections than pmctl can accept, though no more than its
        // listen backlog holds, so accept fails with EMFILE and the listener stays readable;
        // then it measures pmctl's CPU time (its parent's utime + stime, in clock ticks)
        // over two seconds.
        try fakes.add("vncviewer", exitStatus: 0, extra: """
            ulimit -n 1024
            port=${1##*::}
            ls /proc/$PPID/fd | wc -l > \(fakes.directory.file("descriptors"))
            for n in $(seq 1 16); do exec {fd}<>/dev/tcp/127.0.0.1/$port || exit 9; done
            sleep 0.5
            read -r -a before < /proc/$PPID/stat
            sleep 2
            read -r -a after < /proc/$PPID/stat
            echo $(( after[13] + after[14] - before[13] - before[14] )) > \(fakes.directory.file("ticks"))
            """)
        let inventory = try inventory(files, reaching: sshd, "    vnc_display: \(service.port - 5900)\n")
        let run = try ProgramRun.run(URL(fileURLWithPath: "/usr/bin/prlimit"),
                                     ["--nofile=\(Self.descriptorLimit):4096", pmctl, "--inventory", inventory, "console", "box", "--kind", "vnc"],
                                     environment: ["PMCTL_PROGRAM_PATH": fakes.directory.path], timeout: 60)
        let descriptors = (try? String(contentsOfFile: fakes.directory.file("descriptors"), encoding: .utf8)) ?? "?"
        let ticks = Int(((try? String(contentsOfFile: fakes.directory.file("ticks"), encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("Too many open files"), "accept ran out of descriptors (pmctl held \(descriptors) before): \(run.stderr)")
        // A busy loop would use about 200 ticks (one core for 2 s at 100 Hz).
        #expect(ticks.map { $0 < 40 } == true, "pmctl used \(ticks.map(String.init) ?? "?") ticks of CPU in 2 s")
    }

    /// pmctl's soft descriptor limit in the test above: room for what it holds before the
    /// viewer connects (about a dozen) and a few of the viewer's sixteen connections; the
    /// others wait in the listen backlog (16), so no connect of the viewer hangs.
    static let descriptorLimit = 20

    @Test func vncOnADisplayWithNoServerSaysSoBeforeStartingTheViewer() throws {
        let sshd = try SSHDaemon()
        let closed = try ClosedPort()
        let fakes = try FakePrograms()
        let files = try TemporaryDirectory("pmcon")
        defer { sshd.stopAndRemoveFiles(); fakes.directory.remove(); files.remove() }
        try fakes.add("xtightvncviewer")
        let inventory = try inventory(files, reaching: sshd)
        let display = closed.port - 5900
        let run = try console(["--inventory", inventory, "console", "box", "--kind", "vnc", "--vnc-display", String(display)],
                              programs: fakes.directory.path)
        #expect(run.status == 2)
        #expect(run.stderr.contains("no VNC server answers on display \(display) of 127.0.0.1"), "\(run.stderr)")
        #expect(fakes.arguments(of: "xtightvncviewer") == nil, "the viewer was not started")
    }
}
