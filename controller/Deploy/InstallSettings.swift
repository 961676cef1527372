import Foundation

/// What `pmctl agent install` puts on every host, and how it logs in to do it.
public struct InstallSettings: Sendable {
    /// The static pmagent binary to copy, and its SHA-256 (hex) to compare with the host's.
    public var agentBinary: [UInt8]
    public var agentBinarySHA256: String
    /// Where the binary goes and what sshd runs for the controller's key.
    public var forcedCommand: ForcedCommand
    /// The controller's public key for each host (by host name).
    public var keys: [String: ControllerPublicKey]
    public var sudoers: SudoersSource
    /// Where the sudoers file goes (`/etc/sudoers.d`; tests use a folder of their own).
    public var sudoersDirectory: String
    public var sudoersName = "pmagent"
    /// The main sudoers file that includes `sudoersDirectory` (`/etc/sudoers` for
    /// `/etc/sudoers.d`): checked whole with `visudo -c -f` after the new file is in place.
    /// Nil: the folder is not the hosts' include folder, and the file is checked alone.
    public var sudoersConfig: String?
    /// The install login per host (by name), root by default: it writes the binary, the
    /// agent's home and sudoers.
    public var adminLogins: [String: AdminLogin]
    /// The agent's user when neither --user nor the inventory names one.
    public var defaultAgentUser = "pmagent"
    /// `setcap cap_net_raw+ep` on the binary, for raw-frame WoL relaying.
    public var rawWoL = false
    /// Look and report, change nothing, run no check.
    public var dryRun = false
    public var defaultKnownHosts = NSHomeDirectory() + "/.ssh/known_hosts"
    public var connectTimeout: Double = 10
    /// Seconds per host from connected to the install's end (the copy included).
    public var installTimeout: Double = 120
    /// Seconds for the check through the new forced command.
    public var checkTimeout: Double = 10

    public init(agentBinary: [UInt8], agentBinarySHA256: String, forcedCommand: ForcedCommand,
                keys: [String: ControllerPublicKey], sudoers: SudoersSource, sudoersDirectory: String = "/etc/sudoers.d",
                adminLogins: [String: AdminLogin] = [:]) {
        self.agentBinary = agentBinary
        self.agentBinarySHA256 = agentBinarySHA256
        self.forcedCommand = forcedCommand
        self.keys = keys
        self.sudoers = sudoers
        self.sudoersDirectory = sudoersDirectory
        self.adminLogins = adminLogins
    }
}
