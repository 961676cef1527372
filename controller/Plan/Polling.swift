/// How often and how far apart a wait polls: `PING:<count>%<sleep>`, `SSHPING:<count>%<sleep>`.
public struct Polling: Equatable, Sendable, CustomStringConvertible {
    public var count: Int
    /// Seconds between two tries.
    public var interval: Int

    public init(count: Int, interval: Int) {
        self.count = count
        self.interval = interval
    }

    /// Reachability: 24 tries 5 s apart, 2 minutes, enough for a typical boot.
    public static let defaultPing = Polling(count: 24, interval: 5)
    /// The agent's greeting after reachability: 12 tries 5 s apart.
    public static let defaultSSHPing = Polling(count: 12, interval: 5)

    public var description: String { "\(count)%\(interval)" }
}
