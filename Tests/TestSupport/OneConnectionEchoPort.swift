import Foundation

/// A port on 127.0.0.1 that echoes its first connection and then accepts no more, its
/// accept queue kept full: later connects wait in SYN retries, as to a host that does not
/// answer, without a packet leaving loopback. For tunnels whose opening must not hold up
/// the connections already open.
public final class OneConnectionEchoPort: @unchecked Sendable {
    private let socket: LoopbackSocket
    private var fillers: [Int32] = []
    public var port: Int { socket.port }

    public init() throws {
        socket = try LoopbackSocket()
        try socket.listen(backlog: 1)
        let listener = socket.descriptor
        Thread {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = recv(client, &buffer, buffer.count, 0)
                guard count > 0, send(client, buffer, count, Int32(MSG_NOSIGNAL)) == count else { return }
            }
        }.start()
    }

    /// Fills the accept queue (call after the first connection was accepted).
    public func fillQueue() {
        for _ in 0..<3 {
            if let descriptor = LoopbackPort.connectedSocket(port, waitingAtMost: 0.2) { fillers.append(descriptor) }
        }
    }

    deinit { fillers.forEach { close($0) } }
}
