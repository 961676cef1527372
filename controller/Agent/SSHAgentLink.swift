import Foundation
import PMProtocol
import SSH

/// One agent over one SSH exec channel: protocol lines out on its stdin, lines in from its
/// stdout. The agent's stderr is its log; the last of it is kept for error messages.
final class SSHAgentLink: AgentLink {
    private let session: SSHSession
    private let channel: SSHChannel
    private var inbox = LineInbox()
    private var ended = false
    private var closed = false
    /// The agent's last stderr bytes, for a message when it dies.
    private(set) var stderrTail: [UInt8] = []

    init(session: SSHSession, channel: SSHChannel) {
        self.session = session
        self.channel = channel
    }

    func send(_ message: Message) throws(LinkError) {
        guard !closed else { throw LinkError("the link is closed") }
        do {
            try channel.write(LineCodec.encode(message), deadline: .after(seconds: 30))
        } catch {
            throw LinkError("sending to the agent failed: \(error)")
        }
    }

    func receive(until deadline: Deadline) throws(LinkError) -> LinkInput {
        guard !closed else { throw LinkError("the link is closed") }
        while true {
            if let input = inbox.next() { return input }
            if ended { return .closed }
            if deadline.hasPassed { return .timedOut }
            do {
                switch try channel.read(deadline: .after(seconds: deadline.remaining)) {
                case .stdout(let bytes): inbox.feed(bytes)
                case .stderr(let bytes): stderrTail = Array((stderrTail + bytes).suffix(Limits.stderrTailLength))
                case .eof: ended = true
                }
            } catch .timeout {
                return .timedOut
            } catch {
                // The connection dropped (a host going down does exactly this): treat as EOF.
                ended = true
            }
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        _ = try? channel.close(deadline: .after(seconds: 1))
        try? session.disconnect(deadline: .after(seconds: 1))
    }
}
