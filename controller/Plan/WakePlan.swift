import PMProtocol

/// `create=WOL...` / `pmctl wake`: wake machines by magic packet, then wait until their
/// agents answer. Parsed now; the executor comes in a later issue (pmctl says so).
///
/// With `T:` the named hosts are relays and `target` is the machine they wake (S1:
/// `create=wol,t:hostX,... lab01` means lab01 wakes hostX); without it the named hosts are
/// the targets themselves and the controller (or each one's inventory relay) sends.
public struct WakePlan: Equatable, Sendable {
    /// `T:`: the machine to wake, as a name or address.
    public var target: String?
    /// `M:` (or `BMAC:` with BROADCAST): the MAC to wake; else the inventory's.
    public var mac: MACAddress?
    /// `BROADCAST:` a directed broadcast (or a name that resolves to one) for a UDP packet.
    public var broadcast: String?
    /// `IF:` the interface of the sender for a raw frame.
    public var interface: String?
    /// `PORT:`; 7 is added with `--both-ports`.
    public var ports: [Int] = [9]
    public var secureOn: SecureOnPassword?
    /// `WOL:<delay>`: seconds to wait before sending.
    public var delay = 0
    public var ping = Polling.defaultPing
    public var sshPing = Polling.defaultSSHPing
    /// `CONSOLE:` after the machine is up.
    public var console: ConsoleKind?
    /// REUSE: an already running machine is fine (go on to the console).
    public var reuse = false
    /// `--no-wait`: send and report `sent` only.
    public var wait = true
    public var label: String?
    /// `U:`, `I:`: recorded for display.
    public var uuid: String?
    public var id: String?

    public init() {}

    /// The agent request a relay gets, once the MAC and the route are known.
    /// - Parameters:
    ///   - broadcastAddress: `broadcast` (or the inventory's) resolved to an IPv4 address.
    ///   - interface: `IF:` or the inventory's interface, for a raw frame.
    public func arguments(mac: MACAddress, broadcastAddress: String?, interface: String?) throws(PlanError) -> WakeArguments {
        if let broadcastAddress {
            return WakeArguments(mac: mac, route: .broadcast(broadcastAddress), ports: ports, password: secureOn)
        }
        guard let interface = self.interface ?? interface else {
            throw PlanError("no way to send the magic packet for \(mac): give BROADCAST:<addr> or IF:<iface> (or set broadcast or interface in the inventory)")
        }
        return WakeArguments(mac: mac, route: .interface(interface), password: secureOn)
    }
}
