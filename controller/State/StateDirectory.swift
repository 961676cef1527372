import Foundation

/// Where pmctl keeps what outlives a run (the journal, learned facts, BMC pacing):
/// `--state DIR`, else `$PMCTL_STATE`, else `~/.local/state/pmctl` (CONTRACT.md).
public enum StateDirectory {
    public static func path(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["PMCTL_STATE"], !fromEnvironment.isEmpty { return fromEnvironment }
        return NSHomeDirectory() + "/.local/state/pmctl"
    }
}
