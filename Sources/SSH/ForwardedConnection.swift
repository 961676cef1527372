import Foundation

/// One client of a `PortForward` and its direct-tcpip channel, moved without blocking.
/// Each direction has one buffer; a side is read only once its last bytes went on, which
/// is the back-pressure. EOF travels too: a client that shuts down its sending side gets the
/// channel an EOF, and the remote's EOF shuts down the client's receiving side, so a
/// request/answer protocol that half-closes still gets its answer.
///
/// Its life is a small state machine, every step of it non-blocking so one slow
/// connection never holds up the others: waiting for its channel (the forward opens one
/// at a time) → open (bytes move) → closing (the client's socket is closed; the channel's
/// CLOSE waits for the server's) → closed.
final class ForwardedConnection {
    enum Phase {
        /// Accepted; its channel is not open yet. Gives up at the deadline.
        case waitingForChannel(until: Deadline)
        case open(SSHChannel)
        /// Kept until the server confirmed the close, so the channel is never dropped
        /// half-closed (which would leave libssh2 to wait for it).
        case closing(SSHChannel)
        case closed
    }

    let number: Int
    let client: Int32
    private(set) var phase: Phase
    private var toRemote: [UInt8] = []
    private var toClient: [UInt8] = []
    private var clientEOF = false, sentRemoteEOF = false
    private var remoteEOF = false, sentClientEOF = false
    private var socketClosed = false
    private var buffer = [UInt8](repeating: 0, count: 32 * 1024)

    init(number: Int, client: Int32, openWithin seconds: Double) {
        self.number = number
        self.client = client
        self.phase = .waitingForChannel(until: .after(seconds: seconds))
    }

    deinit { closeSocket() }

    var isClosed: Bool { if case .closed = phase { true } else { false } }

    var isWaitingForChannel: Bool { if case .waitingForChannel = phase { true } else { false } }

    /// Whether its next step reads what the server sent (libssh2 reads the whole socket on
    /// any channel's read or write, and while a close waits): only then is the session's
    /// socket worth waking up for.
    var readsFromSession: Bool {
        switch phase {
        case .open: (toClient.isEmpty && !remoteEOF) || !toRemote.isEmpty
        case .closing: true
        case .waitingForChannel, .closed: false
        }
    }

    /// What the client's socket is waited for: input when there is room for it, output
    /// when bytes wait for it; nil for nothing (poll would still report a hang-up, at once
    /// and for ever, so such a socket is left out).
    var clientEvents: Int16? {
        guard case .open = phase else { return nil }
        var events: Int16 = 0
        if toRemote.isEmpty && !clientEOF { events |= Int16(POLLIN) }
        if !toClient.isEmpty { events |= Int16(POLLOUT) }
        return events == 0 ? nil : events
    }

    /// The channel the forward opened for it.
    func attach(_ channel: SSHChannel) {
        guard case .waitingForChannel = phase else { return }
        phase = .open(channel)
    }

    /// One round of whatever its phase allows; true when anything moved or changed state.
    /// `flushLimit` bounds the wait for a half-sent packet (see `stepFlushingSends`).
    func step(flushLimit: Double = 10) throws(SSHError) -> Bool {
        switch phase {
        case .open(let channel):
            let outward = try clientToRemote(channel)
            let inward = try remoteToClient(channel)
            if case .open = phase, sentRemoteEOF && sentClientEOF { beginClosing(channel) }
            return outward || inward
        case .closing(let channel):
            guard try channel.closeStep(flushLimit: flushLimit) else { return false }
            phase = .closed
            return true
        case .waitingForChannel, .closed:
            return false
        }
    }

    private func clientToRemote(_ channel: SSHChannel) throws(SSHError) -> Bool {
        var moved = false
        if toRemote.isEmpty && !clientEOF {
            let count = recv(client, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                toRemote = Array(buffer[0..<count])
                moved = true
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                clientEOF = true  // closed, or reset: either way nothing more comes
                moved = true
            }
        }
        if !toRemote.isEmpty {
            let written = try channel.writeNow(toRemote[...])
            if written > 0 {
                toRemote.removeFirst(written)
                moved = true
            }
        }
        if clientEOF && toRemote.isEmpty && !sentRemoteEOF, try channel.sendEOFStep() {
            sentRemoteEOF = true
            moved = true
        }
        return moved
    }

    private func remoteToClient(_ channel: SSHChannel) throws(SSHError) -> Bool {
        var moved = false
        if toClient.isEmpty && !remoteEOF {
            switch try channel.readNow() {
            case .bytes(let bytes):
                toClient = bytes
                moved = true
            case .eof:
                remoteEOF = true
                moved = true
            case .nothing:
                break
            }
        }
        if !toClient.isEmpty {
            let sent = toClient.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if sent > 0 {
                toClient.removeFirst(sent)
                moved = true
            } else if sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                // The client is gone: what the remote still sends has nowhere to go.
                abandon()
                return true
            }
        }
        if remoteEOF && toClient.isEmpty && !sentClientEOF {
            shutdown(client, Int32(SHUT_WR))
            sentClientEOF = true
            moved = true
        }
        return moved
    }

    /// Ends this connection: its socket is closed at once, its channel closed without
    /// waiting (the close finishes in later steps).
    func stop() {
        switch phase {
        case .open(let channel): beginClosing(channel)
        case .waitingForChannel: phase = .closed
        case .closing, .closed: break
        }
        closeSocket()
    }

    /// Gives up on this connection after a failure: as `stop`, and a close that itself
    /// failed is given up too (the channel goes to the session, which frees it later).
    func abandon() {
        if case .closing = phase { phase = .closed }
        stop()
    }

    private func beginClosing(_ channel: SSHChannel) {
        phase = .closing(channel)
        closeSocket()
    }

    private func closeSocket() {
        guard !socketClosed else { return }
        socketClosed = true
        close(client)
    }
}
