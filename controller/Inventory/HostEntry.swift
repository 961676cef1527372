import PMProtocol

/// One host of the inventory, checked. Absent keys stay nil; defaults are applied when a
/// target is resolved (`TargetResolver`), so the entry shows what the file said.
public struct HostEntry: Equatable, Sendable {
    public var name: String
    /// Where SSH reaches it; nil means the name itself.
    public var address: String?
    public var user: String?
    public var port: Int?
    public var identity: String?
    public var knownHosts: String?
    public var macs: [MACAddress] = []
    /// The NIC to arm for WoL.
    public var interface: String?
    /// The directed broadcast of its segment.
    public var broadcast: String?
    /// The execution host that sends its magic packet.
    public var relay: String?
    public var hypervisor: Hypervisor?
    /// Guests that run an agent themselves, in stack order.
    public var vms: [String] = []
    public var ipmi: IPMIEntry?
    public var consoleUser: String?
    public var consoleIdentity: String?
    /// The VNC display for `CONSOLE:VNC` (port 5900 + display on the host itself).
    public var vncDisplay: Int?
    /// Where the entry starts in the file, for later messages about it.
    public var line: Int = 0

    public init(name: String) {
        self.name = name
    }
}
