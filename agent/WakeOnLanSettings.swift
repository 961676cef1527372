/// A NIC's Wake-on-LAN settings as `ethtool IF` prints them:
/// ```
///     Supports Wake-on: pumbg
///     Wake-on: d
/// ```
/// Each letter is a wake source; `g` is the magic packet, `d` means disabled.
struct WakeOnLanSettings: Equatable, Sendable {
    /// The sources the NIC supports; empty when ethtool shows no such line (a veth, a bridge).
    var supported: String
    /// The sources armed now.
    var current: String

    init(supported: String, current: String) {
        self.supported = supported
        self.current = current
    }

    init(ethtoolOutput: String) {
        var supported = ""
        var current = ""
        for line in ethtoolOutput.split(separator: "\n") {
            let trimmed = line.trimmingSpaces
            if trimmed.hasPrefix("Supports Wake-on:") {
                supported = trimmed.dropFirst("Supports Wake-on:".count).trimmingSpaces
            } else if trimmed.hasPrefix("Wake-on:") {
                current = trimmed.dropFirst("Wake-on:".count).trimmingSpaces
            }
        }
        self.init(supported: supported, current: current)
    }

    var supportsMagicPacket: Bool { supported.contains("g") }
    var magicPacketArmed: Bool { current.contains("g") }
}
