import Foundation

/// TCP ports on 127.0.0.1 for tests.
public enum LoopbackPort {
    /// A port nothing listens on right now (bound to port 0, then released).
    public static func free() throws -> Int {
        let socket = try LoopbackSocket()
        return socket.port
    }

    /// Whether something accepts TCP connections on `port`.
    public static func accepts(_ port: Int) -> Bool {
        guard let descriptor = connected(port) else { return false }
        close(descriptor)
        return true
    }

    /// The first line a server on `port` sends (an SSH banner), waiting at most `seconds`;
    /// nil if nothing accepts or nothing arrives.
    public static func banner(_ port: Int, seconds: Double = 2) -> String? {
        guard let descriptor = connected(port) else { return nil }
        defer { close(descriptor) }
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 256)
        while !received.contains(UInt8(ascii: "\n")), Date() < deadline {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) >= 0 else { return nil }
            guard entry.revents != 0 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        return received.isEmpty ? nil : String(decoding: received, as: UTF8.self)
    }

    /// A socket connected to `port` without blocking longer than `seconds`, or nil.
    static func connectedSocket(_ port: Int, waitingAtMost seconds: Double) -> Int32? {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = LoopbackSocket.address(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 {
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            var problem: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard errno == EINPROGRESS, poll(&entry, 1, Int32(seconds * 1000)) > 0,
                getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &problem, &length) == 0, problem == 0
            else {
                close(descriptor)
                return nil
            }
        }
        return descriptor
    }

    /// A blocking socket connected to `port`, or nil when nothing accepts; the caller closes it.
    public static func connected(_ port: Int) -> Int32? {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = LoopbackSocket.address(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }
}

/// A TCP socket bound to 127.0.0.1 on a port the kernel picks. Closed on deinit.
///
/// Bound but not listening, it is a port where connections are refused and nobody else
/// can start listening meanwhile: `ClosedPort` uses that.
final class LoopbackSocket {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var address = Self.address(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: actual.sin_port))
    }

    deinit { close(descriptor) }

    func listen(backlog: Int32 = 128) throws {
        guard Glibc.listen(descriptor, backlog) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

/// A port on 127.0.0.1 that refuses connections for as long as this object lives.
public final class ClosedPort: @unchecked Sendable {
    private let socket: LoopbackSocket
    public var port: Int { socket.port }

    public init() throws { socket = try LoopbackSocket() }
}

/// A TCP listener on 127.0.0.1 that completes connections (the kernel does, from the
/// backlog) and never says a word: an SSH client hangs waiting for the banner.
public final class SilentListener: @unchecked Sendable {
    private let socket: LoopbackSocket
    private var fillers: [Int32] = []
    public var port: Int { socket.port }

    /// - Parameter full: fill the accept queue first, so the kernel drops further SYNs and
    ///   a client's TCP connect itself hangs (as with a host that is down or firewalled).
    public init(full: Bool = false) throws {
        socket = try LoopbackSocket()
        try socket.listen(backlog: full ? 0 : 128)
        if full {
            // Backlog 0 still queues one connection (Linux); two make sure it is full.
            for _ in 0..<2 {
                if let filler = LoopbackPort.connectedSocket(port, waitingAtMost: 0.3) { fillers.append(filler) }
            }
        }
    }

    deinit { fillers.forEach { close($0) } }
}
