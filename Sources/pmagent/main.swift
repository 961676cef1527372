// pmagent: the agent on each managed machine, started by sshd as a forced command.
// Argument parsing and wiring only; the work lives in PMAgent, where tests reach it.
import ArgumentParser
import PMAgent
import PMProtocol

#if canImport(Glibc)
import Glibc
#endif

struct PMAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pmagent",
        abstract: "The PMControl agent: does the local power work for pmctl over SSH.",
        discussion: """
            Installed as an sshd forced command:
              command="/usr/local/bin/pmagent serve",restrict ssh-ed25519 AAAA... pmctl@console
            """,
        version: "\(AgentVersion.current) (protocol \(ProtocolVersion.current))",
        subcommands: [Serve.self, Check.self, RunHostAction.self])
}

/// The settings `serve` and `check` share.
struct SettingsOptions: ParsableArguments {
    @Option(name: .customLong("tool-dir"),
            help: "A directory searched for tools before /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin (repeatable, in order).")
    var toolDirectories: [String] = []

    @Option(name: .customLong("libvirt-uri"), help: "The libvirt connection for the guest stack (default: qemu:///system).")
    var libvirtURI: String?

    @Option(help: "Read host files (/proc, /sys, /etc/os-release) under this directory when they exist there (default: /).")
    var sysroot: String?

    @Option(help: "A settings file with tool-dir, libvirt-uri, sysroot, system-tools lines (default: /etc/pmagent.conf, if present).")
    var config: String?

    @Flag(name: .customLong("no-system-tools"),
          help: "Search only the --tool-dir directories, never the system directories (for tests and locked-down hosts).")
    var noSystemTools = false

    func configuration() throws -> AgentConfiguration {
        var configuration: AgentConfiguration
        do {
            configuration = try AgentConfiguration.load(file: config ?? AgentConfiguration.defaultFile, required: config != nil)
                ?? AgentConfiguration()
            for directory in toolDirectories { try AgentConfiguration.checkDirectory(directory, what: "--tool-dir") }
            if let sysroot { try AgentConfiguration.checkDirectory(sysroot, what: "--sysroot") }
        } catch {
            throw ValidationError(error.description)
        }
        configuration.toolDirectories = toolDirectories + configuration.toolDirectories
        if let libvirtURI { configuration.libvirtURI = libvirtURI }
        if let sysroot { configuration.sysroot = sysroot }
        if noSystemTools { configuration.searchSystemDirectories = false }
        return configuration
    }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Speak the line protocol on stdin/stdout until end of input; logs go to stderr and syslog.")

    @OptionGroup var settings: SettingsOptions

    func run() throws {
        let configuration = try settings.configuration()
        AgentSession(configuration: configuration, log: AgentLog()).run()
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print which tools this host has and whether the agent may run them, then exit.")

    @OptionGroup var settings: SettingsOptions

    func run() throws {
        let configuration = try settings.configuration()
        let entries = ToolCheck.run(configuration: configuration, log: AgentLog(minimum: .warning, useSyslog: false))
        let width = entries.map(\.name.count).max() ?? 4
        print("TOOL".padding(width) + "  ALLOWED  PATH")
        for entry in entries {
            print(entry.name.padding(width) + "  " + entry.allowed.padding(7) + "  " + (entry.path ?? "-"))
        }
    }
}

/// The detached child of an accepted host action; the agent starts it itself.
struct RunHostAction: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: DetachedHostAction.subcommand,
        abstract: "Internal: wait, then run the host action the agent accepted.",
        shouldDisplay: false)

    @Option(help: "Seconds to wait first.")
    var after: Int

    @Argument(parsing: .postTerminator, help: "The command: an absolute path and its arguments.")
    var command: [String] = []

    func validate() throws {
        guard after >= 0 else { throw ValidationError("--after must not be negative") }
        guard command.first?.hasPrefix("/") == true else { throw ValidationError("the command must start with an absolute path") }
    }

    func run() throws {
        let reason = DetachedHostAction.runAfterDelay(seconds: after, command: command)
        throw ValidationError(reason)
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

PMAgentCommand.main()
