import ArgumentParser
import PMController

struct Console: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        abstract: "An interactive shell on a host: in this terminal (cli), or in xterm, gnome-terminal or emacs.",
        discussion: """
        The console logs in as the inventory's console_user with console_identity (never the agent's \
        forced-command key), else --user/--identity, else the current user and ~/.ssh/id_ed25519, with the \
        same strict host-key check. cli needs a terminal: it switches it to raw mode (Ctrl-C goes to the \
        remote), follows window size changes, restores the terminal on every exit, and exits with the remote \
        shell's status. No --json. The ctys form is create=CONSOLE:<kind> HOST.
        """)

    @OptionGroup var globals: GlobalOptions

    @Option(help: ArgumentHelp("cli (this terminal), xterm, gterm (gnome-terminal), emacs (a term buffer), or vnc (not built yet).", valueName: "kind"))
    var kind: String = "cli"

    @Argument(help: "The host.")
    var host: [String] = []

    func validate() throws {
        guard ConsoleKind(rawValue: kind.lowercased()) != nil else {
            throw ValidationError("--kind must be cli, xterm, gterm, emacs or vnc, got '\(kind)'")
        }
        if globals.json { throw ValidationError("a console has no --json output") }
    }

    func execute() async throws {
        let kind = ConsoleKind(rawValue: kind.lowercased())!
        // --dry-run shows the plan, as the ctys form's create=CONSOLE does; no terminal needed.
        if globals.dryRun {
            try await Execution(globals: globals, plan: .console(ConsolePlan(kind: kind)), hostWords: host).run()
            return
        }
        ConsoleLauncher(globals: globals, kind: kind).run(hostWords: host)
    }
}
