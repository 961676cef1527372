import ArgumentParser
import PMController
import PMProtocol

struct Cancel: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Shut down the VM stack of each host, and with --self the host too.",
        discussion: """
        Guests that run an agent themselves (the inventory's vms) go down through their own agents first, deepest \
        first; the rest get the hypervisor's graceful call and, after --guest-timeout, are destroyed (forced). \
        Without --self the host stays up (maintenance mode). After an accepted poweroff or reboot with --self, pmctl \
        confirms that the host stopped answering or came back with a new boot id.

        WARNING: --force takes the host down at once; its guests die with it without flushing their caches.

        \(IPMIFallbackOptions.discussion)
        Same as the ctys form: pmctl -t TYPE -a cancel=PARTS HOSTS.
        """)

    @OptionGroup var globals: GlobalOptions

    @Option(help: ArgumentHelp("poweroff, reboot, reset, init:N (0-6), pause (suspend to RAM) or suspend (to disk).", valueName: "method"))
    var method: String = "poweroff"

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds between the users' notice and the host's own action (0: at once). Default 30, or 0 with --force. Never applies to guests.", valueName: "s"))
    var delay: Int?

    @Flag(name: .customLong("self"), help: "Also take down the host itself, after its stack.")
    var includeSelf = false

    @Flag(help: "No stack: the host acts at once (implies --self); its guests are abandoned.")
    var force = false

    @Flag(help: "Arm the host's NIC for Wake-on-LAN (refused with reboot, reset and init other than 0).")
    var wol = false

    @Option(help: ArgumentHelp("The NIC to arm with --wol. Default: the first non-loopback one that supports WoL.", valueName: "if"))
    var interface: String?

    @Option(help: ArgumentHelp("With --wol: the address to wake this host by later (stored, shown in the wol step).", valueName: "addr"))
    var broadcast: String?

    @Option(name: .customLong("guest-timeout"), help: ArgumentHelp("Seconds a guest gets to shut down before it is destroyed (TIMEOUT: of the ctys form).", valueName: "s"))
    var guestTimeout: Int = 20

    @Option(help: ArgumentHelp("The stack's tools: pm (every hypervisor found), xen (xl, else xm), xm, libvirt (or kvm).", valueName: "type"))
    var type: String = "pm"

    @Option(help: ArgumentHelp("Cancel only this guest (I:<name> of the ctys form); --self is refused with it.", valueName: "name"))
    var vm: String?

    @Option(help: ArgumentHelp("A label for the run, shown and journaled; it never selects a machine.", valueName: "text"))
    var label: String?

    @OptionGroup var fallback: IPMIFallbackOptions

    @Argument(help: "Execution hosts: inventory names, @groups, node sets, names or addresses.")
    var hosts: [String] = []

    func arguments() throws -> CancelArguments {
        var arguments = CancelArguments()
        let spelled = method.lowercased()
        switch spelled {
        case "poweroff", "s5": arguments.method = .poweroff
        case "reboot": arguments.method = .reboot
        case "reset": arguments.method = .reset
        case "pause", "s3": arguments.method = .pause
        case "suspend", "s4": arguments.method = .suspend
        default:
            guard spelled.hasPrefix("init:"), let level = Patterns.decimal(String(spelled.dropFirst(5))), (0...6).contains(level) else {
                throw ValidationError("--method must be poweroff, reboot, reset, init:N (N 0-6), pause or suspend, got '\(method)'")
            }
            arguments.method = .initLevel(level)
        }
        if let delay, !(0...86_400).contains(delay) { throw ValidationError("--delay must be from 0 to 86400 seconds") }
        guard (0...3_600).contains(guestTimeout) else { throw ValidationError("--guest-timeout must be from 0 to 3600 seconds") }
        guard let stackType = CancelArguments.StackType(spelling: type.lowercased()) else {
            throw ValidationError("--type must be pm, xen, xm, libvirt or kvm, got '\(type)'")
        }
        if let interface, !Patterns.isInterfaceName(interface) { throw ValidationError("--interface '\(interface)' is not an interface name") }
        if let broadcast, !Patterns.isHostName(broadcast) { throw ValidationError("--broadcast '\(broadcast)' is not an address or host name") }
        if let vm, !Patterns.isGuestName(vm) { throw ValidationError("--vm '\(vm)' is not a guest name (letters, digits, _ . + -)") }
        arguments.delay = delay ?? (force ? 0 : 30)
        arguments.includeSelf = includeSelf
        arguments.force = force
        arguments.wol = wol
        arguments.interface = interface
        arguments.broadcast = broadcast
        arguments.guestTimeout = guestTimeout
        arguments.type = stackType
        arguments.vm = vm
        arguments.label = label
        do { try CtysActionParser.validate(arguments) } catch { throw ValidationError(error.message) }
        return arguments
    }

    func validate() throws {
        _ = try arguments()
        try fallback.validate()
    }

    func execute() async throws {
        var execution = Execution(globals: globals, plan: .cancel(try arguments()), hostWords: hosts)
        fallback.apply(to: &execution)
        try await execution.run()
    }
}
