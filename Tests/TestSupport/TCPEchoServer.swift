import Foundation

/// A TCP server on 127.0.0.1 that sends back every byte it receives, on any number of
/// connections, until stopped. For tunnel tests.
public final class TCPEchoServer: @unchecked Sendable {
    private let socket: LoopbackSocket
    private let lock = NSLock()
    private var stopping = false
    private var threads: [Thread] = []
    private let finished = DispatchGroup()

    public var port: Int { socket.port }

    public init() throws {
        socket = try LoopbackSocket()
        try socket.listen()
        startThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    /// Stops accepting, ends the connections' threads and waits for them (within 100 ms).
    public func stop() {
        lock.withLock { stopping = true }
        finished.wait()
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func startThread(_ body: @escaping @Sendable () -> Void) {
        finished.enter()
        let thread = Thread { [finished] in
            body()
            finished.leave()
        }
        thread.start()
    }

    /// Waits for `descriptor` to be readable in 100 ms slices so `stop` is noticed.
    private func waitReadable(_ descriptor: Int32) -> Bool {
        while !isStopping {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, 100) > 0 { return true }
        }
        return false
    }

    private func acceptLoop() {
        while waitReadable(socket.descriptor) {
            let client = accept(socket.descriptor, nil, nil)
            guard client >= 0 else { continue }
            startThread { [self] in echo(client) }
        }
    }

    private func echo(_ client: Int32) {
        defer { close(client) }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while waitReadable(client) {
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes { send(client, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { return }
                sent += written
            }
        }
    }
}
