import ArgumentParser
import Foundation
import PMController
import SSH

/// Opens a console on one host: CLI in this terminal, a terminal program / emacs running
/// the CLI console, or a VNC viewer on a tunnel. The console logs in as the inventory's
/// `console_user` with `console_identity` (never the agent's forced-command key), else the
/// command line's or the current user with the default keys.
///
/// Local programs are looked up in `$PMCTL_PROGRAM_PATH` if set, else the fixed system
/// folders (`LocalCommand.searchPath`), never the caller's `$PATH`.
struct ConsoleLauncher {
    let globals: GlobalOptions
    let kind: ConsoleKind
    /// `--vnc-display`; else the inventory's `vnc_display`; else 0.
    var vncDisplay: Int? = nil
    /// `--local-port` for VNC; 0: a free one.
    var localPort: Int = 0

    /// The VNC viewers tried in order, and the Debian package to suggest when none is there.
    static let vncViewers = ["vncviewer", "xtigervncviewer", "xtightvncviewer"]
    static let vncPackages = "'tigervnc-viewer' (or 'xtightvncviewer')"

    func run(hostWords: [String]) -> Never {
        let inventory: Inventory
        do { inventory = try InventoryLocator.load(explicit: globals.inventory) } catch { fail(error.description) }
        guard hostWords.count == 1 else {
            fail(hostWords.isEmpty ? "name the host to open a console on, e.g. pmctl console lab01"
                                   : "a console opens on exactly one host, got \(hostWords.count)")
        }
        let resolver = TargetResolver(inventory: inventory, overrides: LoginOverrides(
            user: globals.user, port: globals.port, identity: globals.identity, knownHosts: globals.knownHosts))
        let host: ResolvedHost
        do { host = try resolver.resolve(hostWords)[0] } catch { fail(error.message) }
        let entry = inventory[host: host.name]

        switch kind {
        case .cli:
            let target = consoleTarget(host, entry)
            do { Foundation.exit(try CLIConsole(target: target).run()) } catch { fail("\(host.name): \(error)") }
        case .xterm:
            launch("xterm", package: "'xterm'", ConsoleCommandLines.xterm(host: host.name, console: cliCommand(host.name)))
        case .gterm:
            launch("gnome-terminal", package: "'gnome-terminal'", ConsoleCommandLines.gnomeTerminal(host: host.name, console: cliCommand(host.name)))
        case .emacs:
            launch("emacs", package: "'emacs'", ConsoleCommandLines.emacs(host: host.name, console: cliCommand(host.name)))
        case .vnc:
            // Look for the viewer before any connection, so a missing one costs nothing.
            guard let viewer = Self.vncViewers.lazy.compactMap({ LocalCommand.locate($0) }).first else {
                fail("no VNC viewer (\(Self.vncViewers.joined(separator: ", "))) is installed on this host; install the Debian package \(Self.vncPackages), or use --kind cli")
            }
            let console = VNCConsole(target: consoleTarget(host, entry), display: vncDisplay ?? entry?.vncDisplay ?? 0,
                                     localPort: localPort, viewer: viewer)
            do {
                Foundation.exit(try console.run { FileDescriptorSink.standardError.write("pmctl: \(host.name): \($0)\n") })
            } catch {
                fail("\(host.name): \(error)")
            }
        }
    }

    /// The console's login on `host`: never the agent's forced-command key.
    private func consoleTarget(_ host: ResolvedHost, _ entry: HostEntry?) -> SSHTarget {
        do {
            return try SSHTarget(host: host.address, port: host.port,
                                 user: entry?.consoleUser ?? globals.user ?? NSUserName(),
                                 identity: entry?.consoleIdentity ?? globals.identity,
                                 knownHosts: host.knownHosts ?? NSHomeDirectory() + "/.ssh/known_hosts",
                                 connectTimeout: .milliseconds(Int(globals.connectTimeout * 1000)))
        } catch {
            fail(error.description)
        }
    }

    /// `pmctl console HOST --kind cli` with this run's inventory and login options.
    private func cliCommand(_ host: String) -> [String] {
        var command = [CommandLine.arguments[0].hasPrefix("/") ? CommandLine.arguments[0] : Bundle.main.executablePath ?? "pmctl"]
        if let inventory = globals.inventory { command += ["--inventory", inventory] }
        if let knownHosts = globals.knownHosts { command += ["--known-hosts", knownHosts] }
        if let identity = globals.identity { command += ["--identity", identity] }
        if let user = globals.user { command += ["--user", user] }
        if let port = globals.port { command += ["--port", String(port)] }
        return command + ["console", host, "--kind", "cli"]
    }

    /// Starts a local program (a terminal, emacs) and ends with its exit status.
    private func launch(_ program: String, package: String, _ arguments: [String]) -> Never {
        guard let path = LocalCommand.locate(program) else {
            fail("\(program) is not installed on this host; install the Debian package \(package), or use --kind cli")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        do { try process.run() } catch { fail("cannot start \(path): \(error)") }
        process.waitUntilExit()
        Foundation.exit(process.terminationStatus)
    }

    private func fail(_ message: String) -> Never {
        FileDescriptorSink.standardError.write("pmctl: \(message)\n")
        Foundation.exit(2)
    }
}
