import CLibSSH2
import Foundation

/// Single non-blocking steps, for a loop that serves several channels of one session and
/// waits on the socket itself (a port forward). Each returns at once when the step has to
/// wait for the server; the loop calls it again once the socket moved.
extension SSHSession {
    /// Runs a libssh2 call once; when it stopped half-way through sending a packet, waits
    /// for the socket to take more (at most `limit`) and repeats the same call. libssh2
    /// refuses any other send on the session until that packet is out, so it must be
    /// finished before another channel's step runs. An EAGAIN left over means the call
    /// waits for input.
    func stepFlushingSends(limit: Double = 10, _ body: () -> Int32) throws(SSHError) -> Int32 {
        let deadline = Deadline.after(seconds: limit)
        while true {
            let status = body()
            guard status == LIBSSH2_ERROR_EAGAIN, isHalfwayThroughSending else { return status }
            try connection.wait(for: Int16(POLLOUT), until: deadline, cancel: cancel, phase: .write)
        }
    }

    /// `stepFlushingSends` for the calls that return a handle, or NULL with the error kept.
    func stepFlushingSends(limit: Double = 10, _ body: () -> OpaquePointer?) throws(SSHError) -> OpaquePointer? {
        let deadline = Deadline.after(seconds: limit)
        while true {
            if let pointer = body() { return pointer }
            guard libssh2_session_last_errno(handle) == LIBSSH2_ERROR_EAGAIN, isHalfwayThroughSending else { return nil }
            try connection.wait(for: Int16(POLLOUT), until: deadline, cancel: cancel, phase: .write)
        }
    }

    /// Whether libssh2's last call stopped with a packet partly written to the socket.
    var isHalfwayThroughSending: Bool {
        libssh2_session_block_directions(handle) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0
    }

    /// One step of opening a tunnel (see `tunnel`): the channel once the server confirmed
    /// it, nil while it has not answered yet. libssh2 opens one channel at a time per
    /// session: until this returns a channel or throws, no other open may start (a later
    /// call, whoever makes it, continues this one).
    func tunnelStep(toHost host: String, port: Int) throws(SSHError) -> SSHChannel? {
        let pointer = try stepFlushingSends {
            libssh2_channel_direct_tcpip_ex(self.handle, host, Int32(port), "127.0.0.1", 0)
        }
        if let pointer { return SSHChannel(handle: pointer, session: self) }
        if libssh2_session_last_errno(handle) == LIBSSH2_ERROR_EAGAIN { return nil }
        throw .channelFailed("the server refused a tunnel to \(host):\(port): \(lastErrorMessage())")
    }

    /// One step of reading and handling what the server sent while no channel reads
    /// (keepalive requests, which need an answer, key re-exchange, the disconnect): opens a
    /// channel of a type no server offers and waits for the refusal. True when done. Like
    /// `tunnelStep`, it is an open: none other may start until it is done.
    func drainStep() throws(SSHError) -> Bool {
        let pointer = try stepFlushingSends { pm_channel_open_drain(handle) }
        if let pointer {
            // A server that accepted the made-up type gets it closed again.
            releasedChannels.append(pointer)
            return true
        }
        switch libssh2_session_last_errno(handle) {
        case LIBSSH2_ERROR_EAGAIN: return false
        case LIBSSH2_ERROR_CHANNEL_FAILURE: return true  // the expected refusal
        default: throw .channelFailed("the connection to \(target.host) failed: \(lastErrorMessage())")
        }
    }

    /// Retries freeing the channels released while their close was pending; those whose
    /// server has not confirmed the close yet stay for the next round.
    func freeReleasedChannels() throws(SSHError) {
        var index = 0
        while index < releasedChannels.count {
            let channel = releasedChannels[index]
            if try stepFlushingSends({ libssh2_channel_free(channel) }) == LIBSSH2_ERROR_EAGAIN {
                index += 1
            } else {
                releasedChannels.remove(at: index)
            }
        }
    }
}
