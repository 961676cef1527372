import CLibSSH2
import Foundation
import Glibc

/// A connected, non-blocking TCP socket to the SSH server. Owns the descriptor.
final class TCPConnection {
    let descriptor: Int32
    /// The numeric address connected to, for messages.
    let address: String

    private init(descriptor: Int32, address: String) {
        self.descriptor = descriptor
        self.address = address
    }

    deinit { close(descriptor) }

    /// Stops all traffic while keeping the descriptor number ours, so a library still
    /// holding it fails at once instead of waiting (and never writes to a reused number).
    func shutdownBothWays() { _ = shutdown(descriptor, Int32(SHUT_RDWR)) }

    /// Waits until the socket is ready for `events`, at most until `deadline`, looking at
    /// `cancel` every 100 ms.
    func wait(for events: Int16, until deadline: Deadline, cancel: Cancellation, phase: SSHError.Phase) throws(SSHError) {
        try Self.wait(descriptor, for: events, until: deadline, cancel: cancel, phase: phase)
    }

    static func wait(
        _ descriptor: Int32, for events: Int16, until deadline: Deadline, cancel: Cancellation, phase: SSHError.Phase
    ) throws(SSHError) {
        while true {
            if cancel.isCancelled { throw .cancelled }
            let slice = deadline.pollMilliseconds(cap: 100)
            if slice == 0 && deadline.hasPassed { throw .timeout(phase) }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, slice)
            if ready > 0 { return }  // readable, writable, or an error the next call reports
            if ready < 0 && errno != EINTR { throw .channelFailed("poll failed: \(String(cString: strerror(errno)))") }
        }
    }

    /// Resolves `host` and connects to the first address that accepts, within `deadline`.
    static func connect(host: String, port: Int, deadline: Deadline, cancel: Cancellation) throws(SSHError) -> TCPConnection {
        let addresses = try resolve(host: host, port: port, deadline: deadline, cancel: cancel)
        return try connect(host: host, addresses: addresses, deadline: deadline, cancel: cancel)
    }

    /// Tries `addresses` in order. A refused or unroutable address falls through to the
    /// next at once; one that does not answer gets its share of the time left (the last
    /// gets all of it), so a black-holed first address cannot eat the whole deadline
    /// before a working second one is tried. When none connects: refused if any address
    /// refused (something is up there), the connect timeout if none answered, a local
    /// failure if none could be tried from here, else unreachable.
    static func connect(host: String, addresses: [ResolvedAddress], deadline: Deadline,
                        cancel: Cancellation) throws(SSHError) -> TCPConnection {
        var problems: [String] = []
        var everyOneTimedOut = !addresses.isEmpty
        var refused = false
        var onlyLocalFailures = !addresses.isEmpty
        for (index, address) in addresses.enumerated() {
            let left = addresses.count - index
            let share = left == 1 ? deadline : Deadline.after(seconds: deadline.remainingSeconds / Double(left)).earlier(deadline)
            do {
                return try connect(to: address, deadline: share, cancel: cancel)
            } catch .unreachable(_, let detail) {
                everyOneTimedOut = false
                onlyLocalFailures = false
                problems.append("\(address.text): \(detail)")
            } catch .connectionRefused(_, let detail) {
                everyOneTimedOut = false
                onlyLocalFailures = false
                refused = true
                problems.append("\(address.text): \(detail)")
            } catch .localFailure(let detail) {
                // This address could not be tried from here (say, IPv6 without IPv6): the next may.
                everyOneTimedOut = false
                problems.append(detail)
            } catch .timeout(.connect) {
                onlyLocalFailures = false
                problems.append("\(address.text): no answer in time")
            }
        }
        // Nothing answered at all: the connect phase ran out, as with a single address.
        if everyOneTimedOut { throw .timeout(.connect) }
        let detail = problems.isEmpty ? "no address" : problems.joined(separator: "; ")
        if refused { throw .connectionRefused(host: host, detail: detail) }
        if onlyLocalFailures { throw .localFailure(detail) }
        throw .unreachable(host: host, detail: detail)
    }

    private static func connect(to address: ResolvedAddress, deadline: Deadline, cancel: Cancellation) throws(SSHError) -> TCPConnection {
        let descriptor = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .localFailure("socket: \(String(cString: strerror(errno)))") }
        let connection = TCPConnection(descriptor: descriptor, address: address.text)
        var one: Int32 = 1
        // Small protocol messages must go out at once, not wait for Nagle.
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let started = address.storage.withUnsafeBytes { raw in
            Glibc.connect(descriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), address.length)
        }
        if started != 0 {
            guard errno == EINPROGRESS else { throw failure(errno, address) }
            try connection.wait(for: Int16(POLLOUT), until: deadline, cancel: cancel, phase: .connect)
            var problem: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &problem, &length)
            guard problem == 0 else { throw failure(problem, address) }
        }
        return connection
    }

    /// What a failed connect's errno says about the host: refused (its kernel answered),
    /// unreachable (the network says it is not there), or nothing (a problem here).
    static func failure(_ code: Int32, _ address: ResolvedAddress) -> SSHError {
        let detail = String(cString: strerror(code))
        switch code {
        case ECONNREFUSED: return .connectionRefused(host: address.text, detail: detail)
        case ENETUNREACH, EHOSTUNREACH, EHOSTDOWN, ENETDOWN, ETIMEDOUT: return .unreachable(host: address.text, detail: detail)
        default: return .localFailure("connect to \(address.text): \(detail)")
        }
    }

    struct ResolvedAddress: Sendable {
        var family: Int32
        var storage: [UInt8]
        var length: socklen_t
        var text: String
    }

    /// getaddrinfo blocks with no timeout of its own, so a name (not a literal address) is
    /// resolved on a helper thread that is abandoned, not waited for, when the deadline
    /// passes or the work is cancelled.
    private static func resolve(host: String, port: Int, deadline: Deadline, cancel: Cancellation) throws(SSHError) -> [ResolvedAddress] {
        var v4 = in_addr()
        var v6 = in6_addr()
        let isLiteral = inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
        if isLiteral { return try lookUp(host: host, port: port, numeric: true).get() }
        let box = ResolutionBox()
        let thread = Thread { box.finish(lookUp(host: host, port: port, numeric: false)) }
        thread.stackSize = 256 * 1024
        thread.start()
        while true {
            if cancel.isCancelled { throw .cancelled }
            if let result = box.result(waitingAtMost: Swift.min(0.1, deadline.remainingSeconds)) { return try result.get() }
            if deadline.hasPassed { throw .nameResolution(host: host, detail: "the resolver gave no answer within the connect timeout") }
        }
    }

    static func lookUp(host: String, port: Int, numeric: Bool) -> Result<[ResolvedAddress], SSHError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = numeric ? AI_NUMERICHOST | AI_NUMERICSERV : AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(.nameResolution(host: host, detail: String(cString: gai_strerror(status))))
        }
        defer { freeaddrinfo(first) }
        var addresses: [ResolvedAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let socketAddress = entry.pointee.ai_addr {
                let length = Int(entry.pointee.ai_addrlen)
                let bytes = UnsafeRawBufferPointer(start: socketAddress, count: length)
                var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                _ = getnameinfo(socketAddress, entry.pointee.ai_addrlen, &name, socklen_t(name.count), nil, 0, NI_NUMERICHOST)
                addresses.append(
                    ResolvedAddress(
                        family: entry.pointee.ai_family, storage: Array(bytes), length: entry.pointee.ai_addrlen,
                        text: String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
            }
            cursor = entry.pointee.ai_next
        }
        return addresses.isEmpty ? .failure(.nameResolution(host: host, detail: "the name has no address")) : .success(addresses)
    }
}

/// Hands a resolution result from the resolver thread to the waiting one.
private final class ResolutionBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Result<[TCPConnection.ResolvedAddress], SSHError>?

    func finish(_ result: Result<[TCPConnection.ResolvedAddress], SSHError>) {
        condition.lock()
        value = result
        condition.broadcast()
        condition.unlock()
    }

    func result(waitingAtMost seconds: Double) -> Result<[TCPConnection.ResolvedAddress], SSHError>? {
        condition.lock()
        defer { condition.unlock() }
        if value == nil, seconds > 0 { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
        return value
    }
}
