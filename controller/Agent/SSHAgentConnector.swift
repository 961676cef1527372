import Foundation
import PMProtocol
import SSH

/// Reaches each host's agent over SSH (libssh2): strict host-key checking against
/// known_hosts, key authentication, then one exec channel whose far end is `pmagent serve`
/// (in production the key's forced command, which ignores what we ask to run).
public struct SSHAgentConnector: AgentConnector {
    /// The login when neither the inventory nor the command line names one.
    public var defaultUser: String
    /// known_hosts when the host has none of its own: `~/.ssh/known_hosts`.
    public var defaultKnownHosts: String
    /// What the exec channel asks for; the forced command wins anyway.
    public var remoteCommand: String

    public init(defaultUser: String = ProcessInfo.processInfo.environment["USER"] ?? NSUserName(),
                defaultKnownHosts: String = NSHomeDirectory() + "/.ssh/known_hosts",
                remoteCommand: String = "pmagent serve") {
        self.defaultUser = defaultUser
        self.defaultKnownHosts = defaultKnownHosts
        self.remoteCommand = remoteCommand
    }

    public func connect(to host: ResolvedHost, deadline: Deadline) throws(ConnectFailure) -> any AgentLink {
        try connect(to: host, deadline: deadline, interruption: nil)
    }

    public func connect(to host: ResolvedHost, deadline: Deadline, interruption: Interruption?) throws(ConnectFailure) -> any AgentLink {
        let sshDeadline = SSH.Deadline.after(seconds: deadline.remaining)
        let cancel = interruption.map { flag in Cancellation(watching: { flag.isSet }) } ?? .none
        do throws(SSHError) {
            let target = try SSHTarget(host: host.address, port: host.port, user: host.user ?? defaultUser,
                                       identity: host.identity, knownHosts: host.knownHosts ?? defaultKnownHosts,
                                       connectTimeout: .milliseconds(max(1, deadline.remainingMilliseconds)))
            let session = try SSHSession.connect(to: target, deadline: sshDeadline, cancel: cancel)
            do throws(SSHError) {
                let channel = try session.exec(remoteCommand, deadline: sshDeadline)
                return SSHAgentLink(session: session, channel: channel)
            } catch {
                try? session.disconnect(deadline: .after(seconds: 1))
                throw error
            }
        } catch {
            throw Self.failure(error, host: host)
        }
    }

    /// The outcome class and an operator's message for an SSH failure.
    static func failure(_ error: SSHError, host: ResolvedHost) -> ConnectFailure {
        switch error {
        case .unreachable: return ConnectFailure(.unreachable, error.description)
        case .connectionRefused: return ConnectFailure(.connectionRefused, error.description)
        case .invalidTarget: return ConnectFailure(.invalid, error.description)
        // Nothing is known about the host itself: not `unreachable`, which would let
        // --ipmi-fallback power-cycle a running host during a DNS outage.
        case .nameResolution, .localFailure: return ConnectFailure(.failed, error.description)
        case .timeout(let phase):
            // No TCP answer at all is a host that is not there; anything later is a timeout.
            return ConnectFailure(phase == .connect ? .unreachable : .timeout, error.description)
        case .hostKeyUnknown, .hostKeyChanged: return ConnectFailure(.hostKey, error.description)
        case .authFailed: return ConnectFailure(.auth, error.description)
        // TCP connected, so the host is there; its SSH server would not give us a session.
        case .handshakeFailed, .channelFailed: return ConnectFailure(.failed, error.description)
        case .cancelled: return ConnectFailure(.interrupted, "interrupted while connecting")
        }
    }
}
