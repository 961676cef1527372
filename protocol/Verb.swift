/// The verbs a controller may send. The raw values are the wire spelling.
public enum Verb: String, CaseIterable, Sendable {
    /// Liveness and identity: answers `OK` with `host=`, `boot=` (boot id) and `uptime=`.
    case ping
    /// Host facts: `DATA` records for interfaces and guests, then `OK` with the host's own facts.
    case info
    /// The resource check: a `DATA` record per tool (path, and whether the agent may run it).
    case check
    /// Take down the guest stack and, with `self`, the host. See `CancelArguments`.
    case cancel
    /// Send a magic packet for the controller (the relay). See `WakeArguments`.
    case wake
    /// Run one `ipmitool chassis power` for the controller against a BMC on this host's
    /// segment (protocol 1.1). See `IPMIArguments`.
    case ipmi
}
