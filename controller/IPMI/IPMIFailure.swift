/// Why an IPMI command did not work. Each maps onto a result outcome: `auth`,
/// `unreachable`, `failed`, or `refused` for what is wrong on our side.
public enum IPMIFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The BMC answered and refused the login (wrong user or password, or privilege).
    case auth(bmc: String, detail: String)
    /// Nothing answered at that address and port.
    case unreachable(bmc: String, detail: String)
    /// The session worked, the command did not.
    case failed(bmc: String, detail: String)
    /// No password: neither a password file nor PMCTL_IPMI_PASSWORD.
    case noPassword(bmc: String)
    /// The password file cannot be read.
    case unreadablePasswordFile(path: String)
    /// The password file's first line is not a password IPMI takes (1 to 20 bytes).
    case badPassword(path: String, bytes: Int)
    /// ipmitool is not installed here.
    case toolMissing
    /// The BMC's relay could not run the command (its agent unreachable, refused it, ...);
    /// `outcome` is what that means for the host.
    case relay(relay: String, detail: String, outcome: Outcome)
    /// Ctrl-C came before the command went out, or while its result was awaited.
    case interrupted

    public var description: String {
        switch self {
        case .auth(let bmc, let detail):
            "BMC \(bmc) refused the login (\(detail)): check the ipmi user and password file in the inventory"
        case .unreachable(let bmc, let detail):
            "BMC \(bmc) does not answer (\(detail)): check its address, port and that IPMI over LAN is enabled"
        case .failed(let bmc, let detail):
            "BMC \(bmc): \(detail)"
        case .noPassword(let bmc):
            "no password for BMC \(bmc): set ipmi.password_file in the inventory or PMCTL_IPMI_PASSWORD"
        case .unreadablePasswordFile(let path):
            "cannot read the IPMI password file \(path)"
        case .badPassword(let path, let bytes):
            "the IPMI password in \(path) must be 1 to 20 bytes on its first line; it has \(bytes)"
        case .toolMissing:
            "ipmitool is not installed on this host (Debian package: ipmitool)"
        case .relay(let relay, let detail, _):
            "the BMC's relay \(relay) could not run ipmitool: \(detail)"
        case .interrupted:
            "interrupted"
        }
    }
}

extension IPMIFailure {
    /// The host's outcome when its BMC failed this way.
    var outcome: Outcome {
        switch self {
        case .auth: .auth
        case .unreachable: .unreachable
        case .failed: .failed
        case .noPassword, .unreadablePasswordFile, .badPassword, .toolMissing: .refused
        case .relay(_, _, let outcome): outcome
        case .interrupted: .unfinished
        }
    }

    /// Whether this failure shows the BMC cannot have acted on the command: the session was
    /// never set up, the login was refused, or nothing was sent. The others (the command
    /// failed, no answer came, the relay broke off) leave it in doubt.
    var nothingWasDone: Bool {
        switch self {
        case .auth, .unreachable, .noPassword, .unreadablePasswordFile, .badPassword, .toolMissing: true
        case .failed, .interrupted: false
        case .relay(_, _, let outcome): outcome != .failed && outcome != .timeout && outcome != .unfinished
        }
    }
}
