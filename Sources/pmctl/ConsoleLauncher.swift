import ArgumentParser
import Foundation
import PMController
import SSH

/// Opens a console on one host: CLI in this terminal, or a terminal program / emacs
/// running the CLI console. The console logs in as the inventory's `console_user` with
/// `console_identity` (never the agent's forced-command key), else the command line's or
/// the current user with the default keys.
struct ConsoleLauncher {
    let globals: GlobalOptions
    let kind: ConsoleKind

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
            let target: SSHTarget
            do {
                target = try SSHTarget(host: host.address, port: host.port,
                                       user: entry?.consoleUser ?? globals.user ?? NSUserName(),
                                       identity: entry?.consoleIdentity ?? globals.identity,
                                       knownHosts: host.knownHosts ?? NSHomeDirectory() + "/.ssh/known_hosts",
                                       connectTimeout: .milliseconds(Int(globals.connectTimeout * 1000)))
            } catch {
                fail(error.description)
            }
            do { Foundation.exit(try CLIConsole(target: target).run()) } catch { fail("\(host.name): \(error)") }
        case .xterm:
            launch("xterm", package: "xterm", ["-T", "pmctl console \(host.name)", "-e"] + cliCommand(host.name))
        case .gterm:
            launch("gnome-terminal", package: "gnome-terminal", ["--title", "pmctl console \(host.name)", "--"] + cliCommand(host.name))
        case .emacs:
            let command = cliCommand(host.name)
            let arguments = command.dropFirst().map { "\"\($0)\"" }.joined(separator: " ")
            launch("emacs", package: "emacs", ["--eval", "(switch-to-buffer (make-term \"\(host.name)\" \"\(command[0])\" nil \(arguments)))"])
        case .vnc:
            fail("CONSOLE:VNC (a tunnel to the host's VNC display and a viewer) is not built yet")
        }
    }

    /// `pmctl console HOST --kind cli` with this run's inventory and login options.
    private func cliCommand(_ host: String) -> [String] {
        var command = [CommandLine.arguments[0].hasPrefix("/") ? CommandLine.arguments[0] : Bundle.main.executablePath ?? "pmctl"]
        if let inventory = globals.inventory { command += ["--inventory", inventory] }
        if let knownHosts = globals.knownHosts { command += ["--known-hosts", knownHosts] }
        if let identity = globals.identity { command += ["--identity", identity] }
        if let user = globals.user { command += ["--user", user] }
        return command + ["console", host, "--kind", "cli"]
    }

    /// Starts a local program (a terminal, emacs) and ends with its exit status.
    private func launch(_ program: String, package: String, _ arguments: [String]) -> Never {
        guard let path = LocalCommand.locate(program) else {
            fail("\(program) is not installed on this host; install the Debian package '\(package)', or use --kind cli")
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
