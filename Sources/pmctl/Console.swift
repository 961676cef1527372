import ArgumentParser
import PMController

struct Console: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An interactive shell on a host: in this terminal (cli), in xterm, gnome-terminal or emacs; or its VNC display.",
        discussion: """
        The console logs in as the inventory's console_user with console_identity (never the agent's \
        forced-command key), else --user/--identity, else the current user and ~/.ssh/id_ed25519, with the \
        same strict host-key check. cli needs a terminal: it switches it to raw mode (Ctrl-C goes to the \
        remote), follows window size changes, restores the terminal on every exit, and exits with the remote \
        shell's status. xterm, gterm and emacs start that program running 'pmctl console HOST --kind cli' \
        (emacs: a term buffer named after the host). vnc listens on a loopback port (--local-port, default a \
        free one), forwards each connection over SSH (direct-tcpip) to port 5900+N on the host itself, where \
        N is --vnc-display, else the inventory's vnc_display, else 0, and starts vncviewer (else \
        xtigervncviewer, else xtightvncviewer) on 127.0.0.1::PORT; the tunnel ends when the viewer and \
        everything it started have exited (a viewer that forks into the background keeps it), and pmctl \
        exits with the viewer's status. Local programs are looked up in the colon-separated absolute \
        folders of $PMCTL_PROGRAM_PATH if set, else in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin \
        /bin (never $PATH); a missing one is an error naming the Debian package. No --json. The ctys form is \
        create=CONSOLE:<kind> HOST.
        """)

    @OptionGroup var globals: GlobalOptions

    @Option(help: ArgumentHelp("cli (this terminal), xterm, gterm (gnome-terminal), emacs (a term buffer), or vnc (a viewer on an SSH tunnel).", valueName: "kind"))
    var kind: String = "cli"

    @Option(name: .customLong("vnc-display"), help: ArgumentHelp("For vnc: the display N on the host (port 5900+N there). Default: the inventory's vnc_display, else 0.", valueName: "n"))
    var vncDisplay: Int?

    @Option(name: .customLong("local-port"), help: ArgumentHelp("For vnc: the loopback port to listen on. Default: a free one.", valueName: "n"))
    var localPort: Int = 0

    @Argument(help: "The host.")
    var host: [String] = []

    func validate() throws {
        guard let parsed = ConsoleKind(rawValue: kind.lowercased()) else {
            throw ValidationError("--kind must be cli, xterm, gterm, emacs or vnc, got '\(kind)'")
        }
        if globals.json { throw ValidationError("a console has no --json output") }
        if let vncDisplay, !VNCConsole.displayRange.contains(vncDisplay) {
            throw ValidationError("--vnc-display must be from 0 to \(VNCConsole.displayRange.upperBound), got \(vncDisplay)")
        }
        guard (0...65_535).contains(localPort) else { throw ValidationError("--local-port must be from 0 to 65535, got \(localPort)") }
        if parsed != .vnc, vncDisplay != nil || localPort != 0 {
            throw ValidationError("--vnc-display and --local-port go with --kind vnc")
        }
    }

    func execute() async throws {
        let kind = ConsoleKind(rawValue: kind.lowercased())!
        // --dry-run shows the plan, as the ctys form's create=CONSOLE does; no terminal needed.
        if globals.dryRun {
            try await Execution(globals: globals, plan: .console(ConsolePlan(kind: kind)), hostWords: host).run()
            return
        }
        ConsoleLauncher(globals: globals, kind: kind, vncDisplay: vncDisplay, localPort: localPort).run(hostWords: host)
    }
}
