import ArgumentParser
import PMController

/// The ctys form, `pmctl -t TYPE -a ACTION=PARTS HOSTS`; argv gets this hidden subcommand
/// put in front by `CommandLineShape`.
struct CtysForm: ParsableCommand, RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctys",
        abstract: "The ctys form: -t TYPE -a create=...|cancel=... HOSTS (see pmctl --help).",
        shouldDisplay: false)

    @OptionGroup var globals: GlobalOptions

    @Option(name: [.customShort("t"), .customLong("type")], help: ArgumentHelp("pm, xen, xm, kvm or libvirt (any case).", valueName: "type"))
    var type: String?

    @Option(name: [.customShort("a"), .customLong("action")], help: ArgumentHelp("create=PARTS or cancel=PARTS.", valueName: "action"))
    var action: String

    @OptionGroup var fallback: IPMIFallbackOptions

    @Argument(help: "Execution hosts.")
    var hosts: [String] = []

    func validate() throws {
        let plan: ActionPlan
        do { plan = try CtysActionParser.parse(type: type, action: action) } catch { throw ValidationError(error.message) }
        try fallback.validate()
        if fallback.ipmiFallback, plan.name != "cancel" { throw ValidationError("--ipmi-fallback goes with cancel=...") }
    }

    func execute() async throws {
        let plan: ActionPlan
        do { plan = try CtysActionParser.parse(type: type, action: action) } catch { throw ValidationError(error.message) }
        var execution = Execution(globals: globals, plan: plan, hostWords: hosts)
        fallback.apply(to: &execution)
        try await execution.run()
    }
}
