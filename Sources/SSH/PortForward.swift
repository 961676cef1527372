import CLibSSH2
import Foundation
import Glibc

/// `ssh -L 127.0.0.1:LOCAL:HOST:PORT`: a listening port on this machine's loopback whose
/// every connection is carried over the session (a direct-tcpip channel each) to
/// `host`:`port` as the server sees it. For `CONSOLE:VNC`.
///
/// It runs on the session's thread (`serve`), one loop for all connections: the listener,
/// the client sockets and the session's socket go into one poll(2). Nothing blocks on a slow
/// side: bytes wait in a per-direction buffer, and a side is read only once what it sent
/// before has gone on, so a reader that stops reading slows only its own connection.
/// Opening and closing channels are steps of the same loop, never waits.
///
/// The loop sleeps whenever nothing can move: a socket is polled only for what some step
/// would then do. The session's socket is polled for input only while a step would read it
/// (libssh2 reads it whole on any channel's read, write, open or close); when none would,
/// what arrives (a keepalive request, data for a client that does not read) is left in the
/// socket, looked at every `idleCheck` seconds, and handled by a drain step when no channel
/// is there to do it.
public final class PortForward {
    /// The loopback port clients connect to.
    public let localPort: Int
    public let remoteHost: String
    public let remotePort: Int
    private let session: SSHSession
    private let listener: Int32
    private var listening = true
    /// Set after accept failed for want of descriptors (EMFILE): the listener stays
    /// readable, so it is left out of poll until then.
    private var acceptPausedUntil: Deadline?
    private var connections: [ForwardedConnection] = []
    /// The open libssh2 is running for this session (one at a time): a connection's
    /// tunnel, or a drain.
    private var opening = OpeningSlot.none
    /// How long a client waits for its channel before it is closed.
    static let openTimeout = 10.0
    /// How often the session's socket is looked at while no step reads it.
    static let idleCheck = 0.1
    /// Connections accepted so far, for callers and tests that want to know.
    public private(set) var acceptedCount = 0

    /// Binds 127.0.0.1:`localPort` (0: a port the kernel picks) and listens.
    public init(session: SSHSession, remoteHost: String, remotePort: Int, localPort: Int = 0) throws(SSHError) {
        let remoteHost = try SSHTarget.checkedHost(remoteHost)
        guard (1...65535).contains(remotePort) else { throw .invalidTarget("tunnel port \(remotePort) is not in 1...65535") }
        guard (0...65535).contains(localPort) else { throw .invalidTarget("local port \(localPort) is not in 0...65535") }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .channelFailed("cannot make a socket: \(String(cString: strerror(errno)))") }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(localPort).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .channelFailed("cannot listen on 127.0.0.1:\(localPort): \(reason)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.session = session
        self.remoteHost = remoteHost
        self.remotePort = remotePort
        self.listener = descriptor
        self.localPort = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { shutDown() }

    /// Forwards until `stop` is set or the session fails; then stops listening, closes every
    /// connection (client socket and channel) and returns. `problem` hears about connections
    /// that could not be carried (the server refused the tunnel, a channel failed); they are
    /// closed and the others go on. A failure of the session itself is thrown.
    public func serve(until stop: Cancellation, problem: (String) -> Void = { _ in }) throws(SSHError) {
        defer { shutDown() }
        while !stop.isCancelled, listening {
            try pump(problem: problem)
            try waitForWork()
            acceptWaiting(problem: problem)
        }
    }

    /// Steps every connection until a whole pass moves none: a channel read can queue
    /// another channel's data inside libssh2, where poll(2) cannot see it.
    private func pump(problem: (String) -> Void) throws(SSHError) {
        var moved = true
        while moved {
            if session.cancel.isCancelled { throw .cancelled }
            try session.freeReleasedChannels()
            moved = try stepOpening(problem: problem)
            for connection in connections {
                do {
                    if try connection.step() { moved = true }
                } catch {
                    if case .cancelled = error { throw error }
                    problem("connection \(connection.number) to \(remoteHost):\(remotePort) failed: \(error.description)")
                    connection.abandon()
                    moved = true
                }
            }
            connections.removeAll { $0.isClosed }
        }
    }

    /// One step of the open in progress, or the start of the next one: the first waiting
    /// client's tunnel, else a drain when the server sent something no step would read.
    private func stepOpening(problem: (String) -> Void) throws(SSHError) -> Bool {
        for connection in connections where connection.isWaitingForChannel {
            if case .waitingForChannel(let until) = connection.phase, until.hasPassed {
                problem("connection \(connection.number): the server did not open a tunnel to \(remoteHost):\(remotePort) within \(Int(Self.openTimeout)) s")
                connection.abandon()
            }
        }
        switch opening {
        case .drain:
            guard try session.drainStep() else { return false }
            opening = .none
            return true
        case .tunnel, .none:
            guard let next = connections.first(where: \.isWaitingForChannel) else {
                // A tunnel whose client gave up is finished by the next client, which
                // gets the channel; until then libssh2 holds it and no drain may start.
                if case .none = opening, !connections.contains(where: \.readsFromSession), session.releasedChannels.isEmpty,
                   sessionHasInput() {
                    opening = .drain
                    return true
                }
                return false
            }
            opening = .tunnel
            do {
                guard let channel = try session.tunnelStep(toHost: remoteHost, port: remotePort) else { return false }
                opening = .none
                next.attach(channel)
            } catch {
                opening = .none
                if case .cancelled = error { throw error }
                problem("connection \(next.number): \(error.description)")
                next.abandon()
            }
            return true
        }
    }

    /// Whether a step would read the session's socket now, so input there is handled.
    private var sessionInputIsRead: Bool {
        switch opening {
        case .drain: return true
        // A tunnel is only continued while a client waits for it.
        case .tunnel where connections.contains(where: \.isWaitingForChannel): return true
        case .tunnel, .none: return connections.contains(where: \.readsFromSession) || !session.releasedChannels.isEmpty
        }
    }

    /// Sleeps in poll(2) until a client, the listener or the session's socket can move
    /// (each asked only for what a step would then do), at most `idleCheck` (so `stop` is
    /// seen).
    private func waitForWork() throws(SSHError) {
        var entries: [pollfd] = []
        if let paused = acceptPausedUntil, !paused.hasPassed {
            entries.append(pollfd(fd: -1, events: 0, revents: 0))
        } else {
            acceptPausedUntil = nil
            entries.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0))
        }
        for connection in connections {
            let events = connection.clientEvents
            entries.append(pollfd(fd: events == nil ? -1 : connection.client, events: events ?? 0, revents: 0))
        }
        let reading = sessionInputIsRead
        var sessionEvents: Int16 = reading ? Int16(POLLIN) : 0
        if session.isHalfwayThroughSending { sessionEvents |= Int16(POLLOUT) }
        entries.append(pollfd(fd: session.connection.descriptor, events: sessionEvents, revents: 0))
        let ready = poll(&entries, nfds_t(entries.count), Int32(Self.idleCheck * 1000))
        if ready < 0 && errno != EINTR { throw .channelFailed("poll failed: \(String(cString: strerror(errno)))") }
        // Unread input says nothing about the server; what no step reads is looked at here.
        if let last = entries.last, !reading || last.revents & ~Int16(POLLOUT) != 0, serverClosed(last.fd) {
            throw .channelFailed("the connection to \(session.target.host) is gone")
        }
    }

    /// Whether the server's side of the session's socket is closed with nothing left to read
    /// (what libssh2 had already read was handled by the last `pump`).
    private func serverClosed(_ descriptor: Int32) -> Bool {
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    }

    /// Whether bytes from the server wait in the session's socket.
    private func sessionHasInput() -> Bool {
        var byte: UInt8 = 0
        return recv(session.connection.descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    /// Takes every waiting client; its channel is opened by the next steps.
    private func acceptWaiting(problem: (String) -> Void) {
        guard acceptPausedUntil == nil else { return }
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM {
                    // The client stays in the backlog and the listener readable; try again
                    // in a second rather than spin on it.
                    problem("cannot take a connection on 127.0.0.1:\(localPort): \(String(cString: strerror(errno))); trying again in 1 s")
                    acceptPausedUntil = .after(seconds: 1)
                }
                return
            }
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            acceptedCount += 1
            connections.append(ForwardedConnection(number: acceptedCount, client: client, openWithin: Self.openTimeout))
        }
    }

    /// Stops listening first, so no client gets in while the rest are closed; every client
    /// socket is closed at once, and the channels get a moment to close politely. Those
    /// still waiting then are left to the session, which frees them later.
    private func shutDown() {
        if listening {
            listening = false
            close(listener)
        }
        for connection in connections { connection.stop() }
        let deadline = Deadline.after(seconds: 1)
        while connections.contains(where: { !$0.isClosed }), !deadline.hasPassed, !session.cancel.isCancelled {
            connections.removeAll { connection in
                (try? connection.step(flushLimit: deadline.remainingSeconds)) == nil || connection.isClosed
            }
            guard !connections.isEmpty else { break }
            var entry = pollfd(fd: session.connection.descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, deadline.pollMilliseconds(cap: 100)) > 0, serverClosed(entry.fd) { break }
        }
        connections.removeAll()
    }
}
