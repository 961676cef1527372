/// What `pmctl ipmi` asks a BMC to do (`ipmitool chassis power <command>`).
public enum PowerCommand: String, CaseIterable, Sendable {
    case on, off, soft, cycle, reset, status

    /// The power state to wait for after the command, when there is one to confirm.
    var expectedState: PowerState? {
        switch self {
        case .on, .cycle, .reset: .on
        case .off: .off
        case .soft, .status: nil
        }
    }
}

/// A chassis power state as `ipmitool chassis power status` reports it.
public enum PowerState: String, Sendable {
    case on, off, unknown
}
