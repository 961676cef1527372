/// Why an SSH operation failed, in terms an operator can act on.
///
/// The controller maps these onto a host's outcome: `.unreachable` and
/// `.connectionRefused` → unreachable (no TCP connection), `.timeout` → timeout, `.hostKeyUnknown`/`.hostKeyChanged` → hostkey, `.authFailed` → auth;
/// the rest are failures of the session itself.
public enum SSHError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Which part of the work ran out of time.
    public enum Phase: String, Sendable, CaseIterable {
        /// TCP connect (and name resolution).
        case connect
        /// SSH banner exchange, key exchange, host key check.
        case handshake
        /// User authentication.
        case auth
        /// Opening a channel or starting its command, PTY, tunnel or SFTP.
        case channel
        /// Waiting for data from the remote side.
        case read
        /// Sending data (the remote side does not take it).
        case write
    }

    /// The target's host, user or port is not acceptable; nothing was sent.
    case invalidTarget(String)
    /// No TCP connection, and nothing answered: no route, host unreachable (the address
    /// resolved, the packets went nowhere).
    case unreachable(host: String, detail: String)
    /// No TCP connection because the host refused it (RST, ECONNREFUSED): its kernel is up,
    /// nothing listens on the port.
    case connectionRefused(host: String, detail: String)
    /// The name does not resolve (or the resolver did not answer in time): nothing is
    /// known about the host itself.
    case nameResolution(host: String, detail: String)
    /// This machine could not even try: no socket (EMFILE, ENOBUFS), no local address or
    /// port, a local firewall rule. Nothing is known about the host.
    case localFailure(String)
    /// The deadline of `phase` passed.
    case timeout(Phase)
    /// known_hosts holds no key for this host.
    case hostKeyUnknown(HostKeyProblem)
    /// known_hosts holds a different key for this host: possibly a reinstalled host,
    /// possibly someone in the middle.
    case hostKeyChanged(HostKeyProblem)
    /// The server refused every credential; `tried` names each one (paths, never contents).
    case authFailed(user: String, tried: [String])
    /// The SSH handshake failed (no common algorithm, not an SSH server, ...).
    case handshakeFailed(String)
    /// A channel could not be opened or used, or the session broke while using one.
    case channelFailed(String)
    /// The `Cancellation` was set.
    case cancelled

    public var description: String {
        switch self {
        case .invalidTarget(let detail):
            return "invalid SSH target: \(detail)"
        case .unreachable(let host, let detail):
            return "\(host) is unreachable: \(detail)"
        case .connectionRefused(let host, let detail):
            return "\(host) refused the connection (\(detail)): the host is up but nothing listens on the SSH port; check its sshd"
        case .nameResolution(let host, let detail):
            return "cannot resolve \(host): \(detail); check the name, or give the inventory an address"
        case .localFailure(let detail):
            return "cannot connect from this machine: \(detail)"
        case .timeout(let phase):
            return "timed out during \(phase.rawValue)" + Self.timeoutHint(phase)
        case .hostKeyUnknown(let problem):
            return problem.unknownDescription
        case .hostKeyChanged(let problem):
            return problem.changedDescription
        case .authFailed(let user, let tried):
            let list = tried.isEmpty ? "nothing (no ssh-agent and no key file)" : tried.joined(separator: "; ")
            return "authentication as '\(user)' refused; tried: \(list). "
                + "Install the matching public key in that user's authorized_keys, or pass --identity FILE"
        case .handshakeFailed(let detail):
            return "SSH handshake failed: \(detail). libssh2 1.10 lacks sntrup761, chacha20-poly1305, "
                + "aes-gcm, etm MACs and rsa-sha2; make sure the server allows curve25519-sha256, "
                + "aes*-ctr, hmac-sha2-256 and has an ed25519 host key"
        case .channelFailed(let detail):
            return "SSH channel failed: \(detail)"
        case .cancelled:
            return "cancelled"
        }
    }

    private static func timeoutHint(_ phase: Phase) -> String {
        switch phase {
        case .connect: return " (no answer to the TCP connect: host down or a firewall dropping packets)"
        case .handshake: return " (the port accepts connections but no SSH server answered in time)"
        case .auth: return " (the server did not finish authentication in time)"
        case .channel: return " (the server did not start the command in time)"
        case .read: return " (the remote command sent nothing in time)"
        case .write: return " (the remote command does not read its input)"
        }
    }
}
