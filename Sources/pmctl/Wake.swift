import ArgumentParser
import PMController
import PMProtocol

struct Wake: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Wake hosts by Wake-on-LAN and wait until their agents answer.",
        discussion: """
        Each host is woken by magic packet: from its inventory relay (an agent on its segment), from --via, or \
        from this host (UDP to --broadcast or the inventory's broadcast, or a raw frame on --interface). The MAC \
        comes from --mac, the inventory, or what 'pmctl learn' stored. A host whose agent already answers is \
        reported already-up and gets no packet. After sending, pmctl waits (--timeout, default 180 s) until the \
        host's agent greets over SSH; a ping or an open port alone never counts. A host that never answers ends \
        'timeout' with what was last seen.
        """)

    @OptionGroup var globals: GlobalOptions

    @Option(help: ArgumentHelp("The execution host that sends the packet on the target's segment. Default: the inventory's relay, else this host.", valueName: "relay"))
    var via: String?

    @Option(help: ArgumentHelp("Send a UDP packet to this directed broadcast (or a name that resolves to one).", valueName: "addr"))
    var broadcast: String?

    // CONTRACT.md spells this `--port`, which the global SSH `--port` already takes;
    // `--udp-port` until that clash is settled.
    @Option(name: .customLong("udp-port"), help: ArgumentHelp("UDP port for --broadcast (the global --port is SSH's).", valueName: "n"))
    var udpPort: Int = 9

    @Option(help: ArgumentHelp("Send a raw frame on this interface of the sender (needs CAP_NET_RAW).", valueName: "if"))
    var interface: String?

    @Option(help: ArgumentHelp("The NIC's SecureOn password: 4 or 6 bytes as hex.", valueName: "hex"))
    var secureon: String?

    @Option(help: ArgumentHelp("The MAC to wake. Default: the inventory's.", valueName: "mac"))
    var mac: String?

    @Flag(name: .customLong("no-wait"), help: "Send and report 'sent' only; do not wait for the agent.")
    var noWait = false

    @Flag(name: .customLong("both-ports"), help: "Send each UDP packet to port 7 as well as the --udp-port (some NICs listen on one only).")
    var bothPorts = false

    @Option(help: ArgumentHelp("Milliseconds between two hosts' magic packets, to spare the power circuit; the waits still run side by side.", valueName: "ms"))
    var stagger: Int = 50

    @Argument(help: "Hosts to wake: inventory names, @groups, node sets, names or addresses.")
    var hosts: [String] = []

    func plan() throws -> WakePlan {
        var plan = WakePlan()
        guard (1...65_535).contains(udpPort) else { throw ValidationError("--udp-port must be from 1 to 65535") }
        plan.ports = bothPorts && udpPort != 7 ? [udpPort, 7] : [udpPort]
        guard stagger >= 0 else { throw ValidationError("--stagger must be 0 or more milliseconds") }
        if let broadcast, !Patterns.isHostName(broadcast) { throw ValidationError("--broadcast '\(broadcast)' is not an address or host name") }
        if let interface, !Patterns.isInterfaceName(interface) { throw ValidationError("--interface '\(interface)' is not an interface name") }
        if broadcast != nil, interface != nil { throw ValidationError("give --broadcast (UDP) or --interface (raw frame), not both") }
        plan.broadcast = broadcast
        plan.interface = interface
        if let secureon {
            do { plan.secureOn = try SecureOnPassword(parsing: secureon) } catch { throw ValidationError("--secureon: \(error.description)") }
        }
        if let mac {
            do { plan.mac = try MACAddress(parsing: mac) } catch { throw ValidationError("--mac: \(error.description)") }
        }
        plan.wait = !noWait
        return plan
    }

    func validate() throws { _ = try plan() }

    func execute() async throws {
        var plan = try plan()
        var words = hosts
        if let via {
            // `--via RELAY HOST`: the relay is the execution host, the host its target,
            // as in the ctys form's create=wol,t:HOST RELAY.
            guard hosts.count == 1 else { throw ValidationError("--via takes exactly one host to wake") }
            plan.target = hosts[0]
            words = [via]
        }
        try await Execution(globals: globals, plan: .wake(plan), hostWords: words, stagger: Double(stagger) / 1000).run()
    }
}
