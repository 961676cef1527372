import Foundation
import Testing
import TestSupport

/// `pmctl console HOST` in a real terminal (tmux) against a real sshd on loopback: a command
/// runs and its output shows, Ctrl-C reaches the remote, the window size is the terminal's,
/// the remote exit status becomes pmctl's, and the terminal is restored afterwards.
@Suite(.serialized) struct ConsoleTests {
    final class Tmux {
        let socket = "pmtest-console-\(getpid())"
        func run(_ arguments: [String]) throws -> ProgramRun {
            try ProgramRun.run(URL(fileURLWithPath: "/usr/bin/tmux"), ["-L", socket] + arguments, timeout: 30)
        }
        func screen() -> String { (try? run(["capture-pane", "-p", "-t", "console"]))?.stdout ?? "" }
        func type(_ keys: String...) throws { _ = try run(["send-keys", "-t", "console"] + keys) }
        deinit { _ = try? run(["kill-server"]) }
    }

    func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end { if condition() { return true }; Thread.sleep(forTimeInterval: 0.1) }
        return condition()
    }

    @Test func aCLIConsoleRunsCommandsPassesCtrlCAndReturnsTheExitStatus() throws {
        let sshd = try SSHDaemon()
        let files = try TemporaryDirectory()
        defer { sshd.stopAndRemoveFiles(); files.remove() }
        try files.write("inventory.yaml", """
            hosts:
              box:
                address: 127.0.0.1
                port: \(sshd.port)
                known_hosts: \(sshd.knownHostsPath)
                console_user: root
                console_identity: \(sshd.clientKey.privateKeyPath)
            """)
        let pmctl = Repository.executable("pmctl").path
        let script = "\(pmctl) --inventory \(files.file("inventory.yaml")) console box; echo EXIT=$? > \(files.file("exit")); stty -a > \(files.file("stty")); sleep 60"
        let tmux = Tmux()
        _ = try tmux.run(["new-session", "-d", "-s", "console", "-x", "100", "-y", "30", "env SSH_AUTH_SOCK= SHLVL=1 sh -c '\(script)'"])

        // Type only once the remote prompt is there (keys typed earlier would be flushed
        // when pmctl takes the terminal into raw mode).
        #expect(waitFor(15) { tmux.screen().contains("root@") }, "\(tmux.screen())")
        try tmux.type("echo hello-$((6*7))", "Enter")
        #expect(waitFor(15) { tmux.screen().contains("hello-42") }, "\(tmux.screen())")
        try tmux.type("stty size", "Enter")
        #expect(waitFor(5) { tmux.screen().contains("30 100") }, "the remote PTY has the terminal's size: \(tmux.screen())")
        try tmux.type("sleep 100", "Enter")
        Thread.sleep(forTimeInterval: 0.5)
        try tmux.type("C-c")
        try tmux.type("echo after-$((1+1))", "Enter")
        #expect(waitFor(5) { tmux.screen().contains("after-2") }, "Ctrl-C stopped the remote sleep: \(tmux.screen())")
        #expect(!FileManager.default.fileExists(atPath: files.file("exit")), "Ctrl-C must not end pmctl itself")

        try tmux.type("exit 3", "Enter")
        #expect(waitFor(10) { FileManager.default.fileExists(atPath: files.file("stty")) })
        #expect((try? String(contentsOfFile: files.file("exit"), encoding: .utf8)) == "EXIT=3\n")
        let stty = (try? String(contentsOfFile: files.file("stty"), encoding: .utf8)) ?? ""
        #expect(stty.contains(" icanon") && !stty.contains("-icanon"), "canonical mode restored: \(stty)")
        #expect(stty.contains(" echo ") && !stty.contains("-echo "), "echo restored: \(stty)")
    }

    @Test func aCLIConsoleWithoutATerminalIsAClearError() throws {
        let run = try ProgramRun.run(Repository.executable("pmctl"), ["console", "127.0.0.1", "--port", "1"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("needs a terminal"), "\(run.stderr)")
    }
}
