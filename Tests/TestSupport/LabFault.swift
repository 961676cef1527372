/// The ways `lab/lab.sh fault` breaks a lab host, each inside the lab's own namespaces and
/// run folder, and the outcome pmctl must give that host (CONTRACT.md, "Results").
public enum LabFault: String, CaseIterable, Sendable {
    /// eth0 down in the host's namespace: ARP gets no answer, TCP never connects.
    case linkDown = "link-down"
    /// Every packet the host sends is dropped (netem loss 100%, or a pfifo of length 0
    /// where the kernel has no sch_netem): SYNs get no answer.
    case drop
    /// The host sends at a trickle (tbf): TCP connects, the SSH handshake never finishes.
    case slow
    /// The forced command greets and then never answers.
    case hang
    /// authorized_keys holds another key.
    case denyKey = "deny-key"
    /// sshd's host key was regenerated: known_hosts no longer matches.
    case newHostKey = "new-host-key"

    /// The outcome a status run gives a host with this fault.
    public var expectedOutcome: String {
        switch self {
        case .linkDown, .drop: "unreachable"   // no TCP connection
        case .slow, .hang: "timeout"           // connected, no result in time
        case .denyKey: "auth"
        case .newHostKey: "hostkey"
        }
    }
}
