import ArgumentParser

/// The options every command takes (CONTRACT.md, "pmctl").
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The inventory file. Default: $PMCTL_INVENTORY, else ~/.config/pmctl/inventory.yaml if it exists, else none (plain host names and addresses still work).", valueName: "file"))
    var inventory: String?

    @Option(help: ArgumentHelp("Private key for SSH. Default: the inventory's defaults.identity, else ssh-agent, else ~/.ssh/id_ed25519.", valueName: "file"))
    var identity: String?

    @Option(name: .customLong("known-hosts"), help: ArgumentHelp("known_hosts for strict host-key checking. Default: the inventory's defaults.known_hosts, else ~/.ssh/known_hosts.", valueName: "file"))
    var knownHosts: String?

    @Option(help: ArgumentHelp("SSH login name. Default: the inventory's, else the current user.", valueName: "name"))
    var user: String?

    @Option(help: ArgumentHelp("SSH port. Default: the inventory's, else 22.", valueName: "n"))
    var port: Int?

    @Option(help: "Hosts in flight at once.")
    var fanout: Int = 64

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds to get a connection up, per host.", valueName: "s"))
    var connectTimeout: Double = 10

    @Option(help: ArgumentHelp("Seconds per host from connected to its final result. Default: 10 for status/check/info, 120 for cancel, 180 for wake.", valueName: "s"))
    var timeout: Double?

    @Flag(help: "One JSON object per host result on stdout, then a summary object (described by controller/examples/result.schema.json in the source tree).")
    var json = false

    @Flag(help: "No confirmation for large target sets.")
    var yes = false

    @Flag(name: .customLong("dry-run"), help: "Print the plan (hosts, stack order, the request each agent would get) and touch nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Journal and learned facts. Default: $PMCTL_STATE, else ~/.local/state/pmctl.", valueName: "dir"))
    var state: String?

    @Option(name: .customLong("confirm-above"), help: ArgumentHelp("Ask before acting on more than this many hosts (without a terminal: refuse unless --yes).", valueName: "n"))
    var confirmAbove: Int = 10

    @Option(name: .customLong("confirm-timeout"), help: ArgumentHelp("Seconds (after the notice delay) for a poweroff or reboot with SELF to show: the host stops answering, or answers with a new boot id.", valueName: "s"))
    var confirmTimeout: Double = 120

    @Option(name: .customLong("agent-process"), help: ArgumentHelp("Talk to each host's agent by starting this program locally over pipes instead of SSH (testing and the local host).", valueName: "path", visibility: .hidden))
    var agentProcess: String?

    @Option(name: .customLong("agent-arg"), help: ArgumentHelp("An argument for --agent-process; {host} stands for the host's name. Repeatable.", valueName: "arg", visibility: .hidden))
    var agentArguments: [String] = []

    func validate() throws {
        guard fanout >= 1 else { throw ValidationError("--fanout must be at least 1, got \(fanout)") }
        guard connectTimeout > 0, connectTimeout <= 86_400 else {
            throw ValidationError("--connect-timeout must be more than 0 and at most 86400 seconds")
        }
        if let timeout, !(timeout > 0 && timeout <= 86_400) {
            throw ValidationError("--timeout must be more than 0 and at most 86400 seconds")
        }
        guard confirmTimeout >= 0, confirmTimeout <= 86_400 else {
            throw ValidationError("--confirm-timeout must be from 0 to 86400 seconds")
        }
        if let port, !(1...65_535).contains(port) { throw ValidationError("--port must be from 1 to 65535, got \(port)") }
        guard confirmAbove >= 0 else { throw ValidationError("--confirm-above must be 0 or more") }
    }
}
