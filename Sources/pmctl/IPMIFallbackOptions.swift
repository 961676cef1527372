import ArgumentParser

/// `--ipmi-fallback` and its BMC pacing, for cancel in both forms.
struct IPMIFallbackOptions: ParsableArguments {
    static let discussion = """
        --ipmi-fallback: when a host gives no TCP answer at all (connect timeout, no route, host unreachable) \
        and would act itself (--self, --force, init), its inventory ipmi: BMC does it instead: poweroff and \
        init:0 as 'chassis power soft' (ACPI, a clean OS shutdown; with --force 'off'), reboot and init:6 as \
        'off' then 'on' once off is seen (reported as cycle), reset as 'reset'; then the BMC is polled until it \
        reports off (or off, then on) within --confirm-timeout. A reset cannot be seen in the power state: it \
        ends failed, unconfirmed, and retry leaves it alone. A host that refuses the connection is running \
        (its kernel answered): nothing is sent to its BMC. A name that does not resolve is not unreachable \
        either. No notice reaches the users and no guest is asked first. The result's host and power steps \
        say "via":"bmc"; pause, suspend and other init levels are not done through a BMC.
        """

    @Flag(name: .customLong("ipmi-fallback"), help: "When a host's agent is unreachable, do its own poweroff/reboot through its BMC (see below).")
    var ipmiFallback = false

    @Option(name: .customLong("bmc-interval"), help: ArgumentHelp("With --ipmi-fallback: minimum seconds between two commands to the same BMC.", valueName: "s"))
    var bmcInterval: Double = 5

    func validate() throws {
        guard bmcInterval >= 0, bmcInterval <= 3_600 else { throw ValidationError("--bmc-interval must be from 0 to 3600 seconds") }
    }

    func apply(to execution: inout Execution) {
        execution.ipmiFallback = ipmiFallback
        execution.bmcInterval = bmcInterval
    }
}
