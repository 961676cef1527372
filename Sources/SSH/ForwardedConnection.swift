import Foundation

/// One client of a `PortForward` and its direct-tcpip channel, moved without blocking.
/// Each direction has one buffer; a side is read only once its last bytes went on, which
/// is the back-pressure. EOF travels too: a client that shuts down its sending side gets the
/// channel an EOF, and the remote's EOF shuts down the client's receiving side, so a
/// request/answer protocol that half-closes still gets its answer.
final class ForwardedConnection {
    let number: Int
    let client: Int32
    private let channel: SSHChannel
    private var toRemote: [UInt8] = []
    private var toClient: [UInt8] = []
    private var clientEOF = false, sentRemoteEOF = false
    private var remoteEOF = false, sentClientEOF = false
    private var abandoned = false
    private var socketClosed = false
    private var buffer = [UInt8](repeating: 0, count: 32 * 1024)

    init(number: Int, client: Int32, channel: SSHChannel) {
        self.number = number
        self.client = client
        self.channel = channel
    }

    deinit { closeSocket() }

    var isFinished: Bool { abandoned || (sentRemoteEOF && sentClientEOF) }
    var hasBytesForRemote: Bool { !toRemote.isEmpty }

    /// What the client's socket is waited for: input when there is room for it, output
    /// when bytes wait for it.
    var clientEvents: Int16 {
        var events: Int16 = 0
        if toRemote.isEmpty && !clientEOF { events |= Int16(POLLIN) }
        if !toClient.isEmpty { events |= Int16(POLLOUT) }
        return events
    }

    /// One round in both directions; true when anything moved or changed state.
    func move() throws(SSHError) -> Bool {
        guard !isFinished else { return false }
        let outward = try clientToRemote()
        let inward = try remoteToClient()
        return outward || inward
    }

    private func clientToRemote() throws(SSHError) -> Bool {
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
        if clientEOF && toRemote.isEmpty && !sentRemoteEOF {
            try channel.sendEOF(deadline: .after(seconds: 5))
            sentRemoteEOF = true
            moved = true
        }
        return moved
    }

    private func remoteToClient() throws(SSHError) -> Bool {
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

    /// Gives up on this connection: its socket is closed, its channel freed with it.
    func abandon() {
        abandoned = true
        closeSocket()
    }

    /// Closes both ends: the channel politely when both sides said EOF (it then has no bytes
    /// in flight), and the client's socket.
    func finish() {
        if sentRemoteEOF && sentClientEOF && !abandoned {
            _ = try? channel.close(deadline: .after(seconds: 2))
        }
        closeSocket()
    }

    func closeSocket() {
        guard !socketClosed else { return }
        socketClosed = true
        close(client)
    }
}
