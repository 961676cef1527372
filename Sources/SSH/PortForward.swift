import CLibSSH2
import Foundation

/// `ssh -L 127.0.0.1:LOCAL:HOST:PORT`: a listening port on this machine's loopback whose
/// every connection is carried over the session (a direct-tcpip channel each) to
/// `host`:`port` as the server sees it. For `CONSOLE:VNC`.
///
/// It runs on the session's thread (`serve`), one loop for all connections: the listener,
/// the client sockets and the session's socket go into one poll(2). Nothing blocks on a slow
/// side: bytes wait in a per-direction buffer, and a side is read only once what it sent
/// before has gone on, so a reader that stops reading slows only its own connection.
public final class PortForward {
    /// The loopback port clients connect to.
    public let localPort: Int
    public let remoteHost: String
    public let remotePort: Int
    private let session: SSHSession
    private let listener: Int32
    private var listening = true
    private var connections: [ForwardedConnection] = []
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

    /// Moves bytes on every connection until a whole pass moves none: a channel read can
    /// queue another channel's data inside libssh2, where poll(2) cannot see it.
    private func pump(problem: (String) -> Void) throws(SSHError) {
        var moved = true
        while moved {
            moved = false
            for connection in connections {
                do {
                    if try connection.move() { moved = true }
                } catch {
                    problem("connection \(connection.number) to \(remoteHost):\(remotePort) failed: \(error.description)")
                    connection.abandon()
                }
            }
            let finished = connections.filter(\.isFinished)
            for connection in finished { connection.finish() }
            connections.removeAll { $0.isFinished }
            if session.cancel.isCancelled { throw .cancelled }
        }
    }

    /// Sleeps in poll(2) until a client, the listener or the session's socket can move, at
    /// most 100 ms (so `stop` is seen).
    private func waitForWork() throws(SSHError) {
        var entries = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
        for connection in connections {
            entries.append(pollfd(fd: connection.client, events: connection.clientEvents, revents: 0))
        }
        var sessionEvents = Int16(POLLIN)
        let directions = libssh2_session_block_directions(session.handle)
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 || connections.contains(where: \.hasBytesForRemote) {
            sessionEvents |= Int16(POLLOUT)
        }
        entries.append(pollfd(fd: session.connection.descriptor, events: sessionEvents, revents: 0))
        let ready = poll(&entries, nfds_t(entries.count), 100)
        if ready < 0 && errno != EINTR { throw .channelFailed("poll failed: \(String(cString: strerror(errno)))") }
        if let last = entries.last, last.revents != 0, last.revents & Int16(POLLOUT) != last.revents, serverClosed(last.fd) {
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

    /// Takes every waiting client and opens its channel.
    private func acceptWaiting(problem: (String) -> Void) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            acceptedCount += 1
            do {
                let channel = try session.tunnel(toHost: remoteHost, port: remotePort, deadline: .after(seconds: 10))
                connections.append(ForwardedConnection(number: acceptedCount, client: client, channel: channel))
            } catch {
                problem("connection \(acceptedCount): \(error.description)")
                close(client)
            }
        }
    }

    /// Stops listening first, so no client gets in while the rest are closed.
    private func shutDown() {
        if listening {
            listening = false
            close(listener)
        }
        for connection in connections { connection.finish() }
        connections.removeAll()
    }
}
