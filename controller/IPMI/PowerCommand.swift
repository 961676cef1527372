/// What `pmctl ipmi` asks a BMC to do (`ipmitool chassis power <command>`).
public enum PowerCommand: String, CaseIterable, Sendable {
    case on, off, soft, cycle, reset, status

    /// The power states to see, in order, after the command: what proves it was done.
    /// A cycle must be seen off, then on (on alone is where it started). A reset leaves the
    /// power on throughout, and a soft-off may be ignored by the OS: nothing to see.
    var expectedStates: [PowerState] {
        switch self {
        case .on: [.on]
        case .off: [.off]
        case .cycle: [.off, .on]
        case .reset, .soft, .status: []
        }
    }
}

/// A chassis power state as `ipmitool chassis power status` reports it.
public enum PowerState: String, Sendable {
    case on, off, unknown
}
