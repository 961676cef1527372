/// Per-host budgets of a run.
public struct WorkerSettings: Sendable {
    /// Seconds to get a link up (`--connect-timeout`).
    public var connectTimeout: Double = 10
    /// Seconds from connected to the final result (`--timeout`).
    public var actionTimeout: Double = 10
    /// Seconds, after the host's notice delay, for a poweroff or reboot to show.
    public var confirmTimeout: Double = 120
    /// Seconds between two confirmation probes.
    public var confirmInterval: Double = 2

    public init(connectTimeout: Double = 10, actionTimeout: Double = 10, confirmTimeout: Double = 120, confirmInterval: Double = 2) {
        self.connectTimeout = connectTimeout
        self.actionTimeout = actionTimeout
        self.confirmTimeout = confirmTimeout
        self.confirmInterval = confirmInterval
    }
}
