import ArgumentParser
import Foundation
import PMController
import PMProtocol

struct AgentInstall: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Prepare managed hosts: the agent's user, the pmagent binary, the forced-command key and sudoers; then check.",
        discussion: """
        The install login is --admin-user with --admin-identity, else the inventory's console_user and \
        console_identity for the host, else root with ssh-agent or ~/.ssh/id_ed25519. It is never the agent's \
        forced-command key, and must be root. The host key is checked \
        against known_hosts as always. The agent's user is --user, else the inventory's user, else pmagent. Per host, \
        each a step in the result:

        user: created if missing with useradd --system --create-home --shell /bin/sh (password '*': no password \
        login works). An account with uid 0, or whose home belongs to another uid, is refused. Results: created, exists.

        binary: the pmagent binary (--binary) at --install-path, root-owned, mode 0755, copied over SFTP only when \
        its SHA-256 differs. A link at --install-path, or a folder above it that a user other than root could \
        change, is refused. With --raw-wol also setcap cap_net_raw+ep (step capability; anything but exactly \
        cap_net_raw=ep is set again). Results: copied, unchanged, mode-fixed.

        key: the controller's public key (--key, else the .pub of the agent login's key) in \
        ~USER/.ssh/authorized_keys as command="PATH serve [--serve-arg...]",restrict: never duplicated; a line for \
        the same key with other options is replaced, and its old options reported (a cert-authority line is not \
        ours and stays). ~/.ssh is 0700 and the file 0600, owned by the user. All of this runs as the agent's \
        user (setpriv, else runuser), never as root, and a link at ~/.ssh or the file is refused. Results: added, \
        replaced, unchanged, mode-fixed.

        sudoers: the rules of 'pmctl agent sudoers' (or --sudoers-from FILE, @AGENT_USER@ replaced) as \
        --sudoers-dir/pmagent, mode 0440: uploaded beside it under a name sudo ignores, checked with the host's \
        visudo -cf, and only then renamed into place; then the whole configuration (--sudoers-config) is checked \
        with visudo -c -f, and if it fails the previous file is put back. A file visudo refuses is never left \
        installed and the host ends failed. Results: written, unchanged, mode-fixed, refused.

        Nothing already right is written again, so a second install changes nothing. Then pmctl logs in as the \
        agent's user with the controller's key, through the new forced command, and runs CHECK: the table is the \
        one 'pmctl check' shows. --dry-run looks at each host and reports would-create, would-copy, would-add, \
        would-replace, would-write, ...; it changes nothing, runs no check and ends skipped. Hosts end ok, failed, \
        refused (login not root, a tool missing), unreachable, auth, hostkey or timeout; exit 0 when all are ok, \
        1 otherwise, 2 for bad input (nothing done). Install runs (not dry runs) are written to the journal \
        like other runs: 'pmctl history' shows them; 'pmctl retry' does not replay them.
        """)

    @OptionGroup var globals: GlobalOptions

    @Option(name: .customLong("admin-user"), help: ArgumentHelp("The install login on the hosts; it must be root. Default: the inventory's console_user, else root.", valueName: "name"))
    var adminUser: String?

    @Option(name: .customLong("admin-identity"), help: ArgumentHelp("Private key of the install login. Default: the inventory's console_identity, else ssh-agent, else ~/.ssh/id_ed25519.", valueName: "file"))
    var adminIdentity: String?

    @Option(help: ArgumentHelp("The controller's public key for the forced command. Default: the agent login's key (--identity, else the inventory's identity, else ~/.ssh/id_ed25519) with .pub.", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("The static pmagent binary to copy. Default: the pmagent next to this pmctl.", valueName: "file"))
    var binary: String?

    @Option(name: .customLong("install-path"), help: ArgumentHelp("Where the binary goes on the hosts.", valueName: "path"))
    var installPath = "/usr/local/bin/pmagent"

    @Option(name: .customLong("serve-arg"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("An argument for the forced command after 'pmagent serve', e.g. --serve-arg --libvirt-uri --serve-arg qemu:///system (repeatable; letters, digits and / . _ - + = : , @ only). /etc/pmagent.conf holds the same settings.", valueName: "arg"))
    var serveArguments: [String] = []

    @Option(name: .customLong("sudoers-dir"), help: ArgumentHelp("The hosts' sudoers include folder.", valueName: "dir"))
    var sudoersDirectory = "/etc/sudoers.d"

    @Option(name: .customLong("sudoers-config"), help: ArgumentHelp("The hosts' main sudoers file that includes --sudoers-dir: checked whole with visudo -c -f after the new file is in place. Default: /etc/sudoers when --sudoers-dir is /etc/sudoers.d, else none.", valueName: "file"))
    var sudoersConfig: String?

    @Option(name: .customLong("sudoers-from"), help: ArgumentHelp("Install this file instead of the generated rules (e.g. an edited agent/deploy/sudoers.template; @AGENT_USER@ becomes the agent's user). visudo on each host still checks it first.", valueName: "file"))
    var sudoersFrom: String?

    @OptionGroup var toolPaths: SudoersToolPaths

    @Flag(name: .customLong("raw-wol"), help: "Also grant the binary CAP_NET_RAW (setcap), for relaying raw-frame WoL; UDP relaying needs no privilege.")
    var rawWoL = false

    @Argument(help: "Hosts: inventory names, @groups, node sets, names or addresses.")
    var hosts: [String] = []

    func validate() throws {
        if let user = globals.user, !AgentPrivileges.isUserName(user) {
            throw ValidationError("--user '\(user)' is not a login name (a-z, 0-9, _ and -, starting with a letter or _)")
        }
        if let adminUser, !AgentPrivileges.isUserName(adminUser) { throw ValidationError("--admin-user '\(adminUser)' is not a login name") }
        guard sudoersDirectory.hasPrefix("/"), ForcedCommand.isPlainWord(sudoersDirectory) else {
            throw ValidationError("--sudoers-dir '\(sudoersDirectory)' must be an absolute path of letters, digits and / . _ - +")
        }
        if let sudoersConfig, !(sudoersConfig.hasPrefix("/") && ForcedCommand.isPlainWord(sudoersConfig)) {
            throw ValidationError("--sudoers-config '\(sudoersConfig)' must be an absolute path of letters, digits and / . _ - +")
        }
        _ = try toolPaths.table()
        do { _ = try ForcedCommand(agentPath: installPath, serveArguments: serveArguments) } catch { throw ValidationError(error.message) }
    }

    func execute() async throws {
        let fail = Execution.usage
        let (inventory, _, targets) = try Execution.resolve(hosts, globals)
        for host in targets {
            if let user = host.user, !AgentPrivileges.isUserName(user) {
                throw fail("\(host.name): the inventory's user '\(user)' is not a login name sudoers can take")
            }
        }
        let settings: InstallSettings
        do { settings = try makeSettings(for: targets, inventory) } catch { throw fail(error.message) }
        try Execution.confirm("agent install", on: targets, globals)

        let interruption = Interruption()
        let signalSource = interruption.watchSIGINT()
        defer { signalSource.cancel() }
        let command = (["pmctl"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        // Like every other run, an install is journaled (a dry run is not: it changes nothing).
        // 'pmctl history' shows it; retry refuses to replay it (its binary and key are local files).
        let runID = RunID.make()
        let journal = globals.dryRun ? nil : Execution.openJournal(globals, journalForm: AgentInstaller.journalForm)
        let handlers: [any EventHandler] = (journal.map { [$0] } ?? []) + [Execution.renderer(globals)]
        let report = await AgentInstaller(settings: settings, fanout: globals.fanout)
            .run(hosts: targets, runID: runID, commandLine: command, handlers: handlers, interruption: interruption)
        Execution.reportJournalErrors(journal, runID: runID)
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// Everything local is read and checked before any host is touched (exit 2 otherwise).
    private func makeSettings(for targets: [ResolvedHost], _ inventory: Inventory) throws(InstallError) -> InstallSettings {
        let binaryPath = binary ?? Self.besideThisProgram("pmagent")
        guard let data = FileManager.default.contents(atPath: binaryPath), !data.isEmpty else {
            throw InstallError(.usage, "cannot read the pmagent binary \(binaryPath) (build it with: swift build -c release --product pmagent --static-swift-stdlib; pass --binary FILE)")
        }
        let hash: String
        do {
            guard let tool = LocalCommand.locate("sha256sum") else { throw InstallError(.usage, "sha256sum is not installed here (Debian package: coreutils)") }
            let run = try LocalCommand.run(tool, [binaryPath], timeout: 60)
            guard run.status == 0, let first = run.stdout.split(separator: " ").first else {
                throw InstallError(.usage, "sha256sum \(binaryPath) failed: \(run.stderr)")
            }
            hash = String(first)
        } catch let error as InstallError {
            throw error
        } catch {
            throw InstallError(.usage, "cannot hash \(binaryPath): \(error)")
        }
        var keys: [String: ControllerPublicKey] = [:]
        var logins: [String: AdminLogin] = [:]
        for host in targets {
            let path = key ?? (host.identity ?? NSHomeDirectory() + "/.ssh/id_ed25519") + ".pub"
            keys[host.name] = try ControllerPublicKey.load(path: path)
            let login = AdminLogin.resolve(user: adminUser, identity: adminIdentity, entry: inventory[host: host.name])
            guard AgentPrivileges.isUserName(login.user) else {
                throw InstallError(.usage, "\(host.name): the inventory's console_user '\(login.user)' is not a login name")
            }
            logins[host.name] = login
        }
        let sudoers: SudoersSource
        if let sudoersFrom {
            guard let text = try? String(contentsOfFile: sudoersFrom, encoding: .utf8) else {
                throw InstallError(.usage, "cannot read --sudoers-from \(sudoersFrom)")
            }
            sudoers = .template(text)
        } else {
            let paths: [String: String]
            do { paths = try toolPaths.table() } catch { throw InstallError(.usage, "\(error)") }
            sudoers = .generated(paths: paths)
        }
        var settings = InstallSettings(
            agentBinary: [UInt8](data), agentBinarySHA256: hash,
            forcedCommand: try ForcedCommand(agentPath: installPath, serveArguments: serveArguments),
            keys: keys, sudoers: sudoers, sudoersDirectory: sudoersDirectory, adminLogins: logins)
        settings.sudoersConfig = sudoersConfig ?? (sudoersDirectory == "/etc/sudoers.d" ? "/etc/sudoers" : nil)
        settings.rawWoL = rawWoL
        settings.dryRun = globals.dryRun
        settings.connectTimeout = globals.connectTimeout
        settings.installTimeout = globals.timeout ?? 120
        settings.checkTimeout = min(globals.timeout ?? 10, 60)
        if let knownHosts = globals.knownHosts { settings.defaultKnownHosts = knownHosts }
        return settings
    }

    /// A program in the same folder as the running pmctl.
    static func besideThisProgram(_ name: String) -> String {
        let me = Bundle.main.executableURL?.resolvingSymlinksInPath().path ?? CommandLine.arguments[0]
        return ((me as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
    }
}
