import CLibSSH2

/// A channel of an `SSHSession`: a remote command, a shell on a PTY, or a tunnel.
///
/// Confined to the session's thread, like the session it keeps alive.
public final class SSHChannel {
    /// What one `read` returned.
    public enum Event: Equatable, Sendable {
        case stdout([UInt8])
        case stderr([UInt8])
        /// The remote side sent EOF and every byte before it was returned.
        case eof
    }

    /// How the remote command ended, learnt at `close`.
    public struct Exit: Equatable, Sendable {
        /// The exit status; meaningful when `signal` is nil.
        public var status: Int32
        /// The signal that ended the command, as SSH names it (`TERM`, `KILL`), if any.
        public var signal: String?

        public init(status: Int32, signal: String?) {
            self.status = status
            self.signal = signal
        }
    }

    let handle: OpaquePointer
    /// Kept alive as long as the channel: libssh2 channels die with their session.
    let session: SSHSession
    private var freed = false
    private var sentEOF = false
    private var sawEOF = false
    /// Which stream a read looks at first; it alternates so neither can starve the other.
    private var stderrFirst = false
    private var buffer = [UInt8](repeating: 0, count: 32 * 1024)

    init(handle: OpaquePointer, session: SSHSession) {
        self.handle = handle
        self.session = session
    }

    deinit {
        guard !freed else { return }
        // Freeing closes the channel, which waits for the server's CLOSE. The session's
        // socket is shared with its other channels, so it is never cut here: a close that
        // has to wait is left to the session, which frees the channel later or with itself.
        let status = try? session.stepFlushingSends(limit: 0.5, { libssh2_channel_free(handle) })
        if status == nil || status == LIBSSH2_ERROR_EAGAIN { session.releasedChannels.append(handle) }
    }

    /// Returns the next bytes from stdout or stderr, whichever has some, or `.eof`.
    ///
    /// Both streams are looked at on every call (never one drained first), so a command
    /// that fills stderr while we wait for stdout cannot deadlock on the channel window.
    public func read(deadline: Deadline) throws(SSHError) -> Event {
        try ensureOpen()
        guard !sawEOF else { return .eof }
        while true {
            if session.cancel.isCancelled { throw .cancelled }
            stderrFirst.toggle()
            for isStderr in stderrFirst ? [true, false] : [false, true] {
                if let bytes = try readAvailable(stderr: isStderr) {
                    return isStderr ? .stderr(bytes) : .stdout(bytes)
                }
            }
            if libssh2_channel_eof(handle) != 0 {
                sawEOF = true
                return .eof
            }
            try session.waitForSocket(.read, until: deadline)
        }
    }

    /// Bytes available now on one stream, or nil if none (yet, or at EOF).
    private func readAvailable(stderr: Bool, flushingSends: Bool = false) throws(SSHError) -> [UInt8]? {
        func readOnce() -> Int {
            buffer.withUnsafeMutableBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { chars in
                    stderr
                        ? pm_channel_read_stderr(handle, chars.baseAddress, chars.count)
                        : pm_channel_read(handle, chars.baseAddress, chars.count)
                }
            }
        }
        // A read may send a window adjustment; a half-sent one must be finished first.
        let count = flushingSends ? Int(try session.stepFlushingSends { Int32(clamping: readOnce()) }) : readOnce()
        if count > 0 { return Array(buffer[0..<count]) }
        if count == 0 || count == Int(LIBSSH2_ERROR_EAGAIN) { return nil }
        throw .channelFailed("reading from \(session.target.host) failed: \(session.lastErrorMessage())")
    }

    /// Reads until EOF and returns everything, stdout and stderr apart. For commands whose
    /// output is known to be small enough to hold.
    public func readToEnd(deadline: Deadline) throws(SSHError) -> (stdout: [UInt8], stderr: [UInt8]) {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        while true {
            switch try read(deadline: deadline) {
            case .stdout(let bytes): stdout += bytes
            case .stderr(let bytes): stderr += bytes
            case .eof: return (stdout, stderr)
            }
        }
    }

    /// Sends all of `bytes` to the remote stdin (or through the tunnel).
    ///
    /// Waits while the remote side's window is full; a remote command that does not read
    /// its input ends this with `.timeout(.write)`.
    public func write(_ bytes: [UInt8], deadline: Deadline) throws(SSHError) {
        try ensureOpen()
        var offset = 0
        while offset < bytes.count {
            if session.cancel.isCancelled { throw .cancelled }
            let written = bytes.withUnsafeBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { chars in
                    pm_channel_write(handle, chars.baseAddress! + offset, chars.count - offset)
                }
            }
            if written > 0 {
                offset += written
            } else if written == Int(LIBSSH2_ERROR_EAGAIN) || written == 0 {
                try session.waitForSocket(.write, until: deadline)
            } else {
                throw .channelFailed("writing to \(session.target.host) failed: \(session.lastErrorMessage())")
            }
        }
    }

    /// What `readNow` found: bytes, nothing yet, or the remote EOF.
    public enum Available: Equatable, Sendable {
        case bytes([UInt8])
        case nothing
        case eof
    }

    /// The stdout bytes that have arrived, without waiting: for a loop that serves several
    /// channels of one session and polls the socket itself (a port forward).
    public func readNow() throws(SSHError) -> Available {
        try ensureOpen()
        guard !sawEOF else { return .eof }
        if let bytes = try readAvailable(stderr: false, flushingSends: true) { return .bytes(bytes) }
        if libssh2_channel_eof(handle) != 0 {
            sawEOF = true
            return .eof
        }
        return .nothing
    }

    /// Sends as much of `bytes` as the remote window takes now, without waiting; returns
    /// how many went (0 when the window is full or the socket would block).
    public func writeNow(_ bytes: ArraySlice<UInt8>) throws(SSHError) -> Int {
        try ensureOpen()
        guard !bytes.isEmpty else { return 0 }
        let written = try session.stepFlushingSends {
            Int32(clamping: bytes.withUnsafeBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { chars in pm_channel_write(handle, chars.baseAddress!, chars.count) }
            })
        }
        if written >= 0 { return Int(written) }
        if written == LIBSSH2_ERROR_EAGAIN { return 0 }
        throw .channelFailed("writing to \(session.target.host) failed: \(session.lastErrorMessage())")
    }

    /// Tells the remote side no more input comes (closes the command's stdin).
    public func sendEOF(deadline: Deadline) throws(SSHError) {
        try ensureOpen()
        guard !sentEOF else { return }
        let status = try session.call(.write, until: deadline) { libssh2_channel_send_eof(handle) }
        guard status == 0 else { throw .channelFailed("sending EOF failed: \(session.lastErrorMessage())") }
        sentEOF = true
    }

    /// `sendEOF` without waiting for input: true once sent.
    func sendEOFStep() throws(SSHError) -> Bool {
        try ensureOpen()
        guard !sentEOF else { return true }
        let status = try session.stepFlushingSends { libssh2_channel_send_eof(handle) }
        if status == LIBSSH2_ERROR_EAGAIN { return false }
        guard status == 0 else { throw .channelFailed("sending EOF failed: \(session.lastErrorMessage())") }
        sentEOF = true
        return true
    }

    /// One step of closing and freeing (EOF, CLOSE, the server's CLOSE, free) without
    /// waiting: true once the channel is gone. libssh2 frees it even when the session
    /// failed, so only waiting for the server's CLOSE makes it false.
    func closeStep(flushLimit: Double = 10) throws(SSHError) -> Bool {
        guard !freed else { return true }
        if try session.stepFlushingSends(limit: flushLimit, { libssh2_channel_free(handle) }) == LIBSSH2_ERROR_EAGAIN { return false }
        freed = true
        return true
    }

    /// Tells the remote PTY its new size (after the local terminal was resized).
    public func resizePTY(columns: Int, rows: Int, deadline: Deadline) throws(SSHError) {
        guard (1...10_000).contains(columns), (1...10_000).contains(rows) else {
            throw .channelFailed("terminal size \(columns)x\(rows) is out of range")
        }
        try ensureOpen()
        let status = try session.call(.channel, until: deadline) {
            pm_channel_request_pty_size(handle, Int32(columns), Int32(rows))
        }
        guard status == 0 else { throw .channelFailed("the server refused the new terminal size: \(session.lastErrorMessage())") }
    }

    /// Closes the channel and returns how the remote command ended.
    ///
    /// Sends EOF if not yet sent; output not read yet is read and discarded until the
    /// remote EOF, since the exit status arrives after it.
    @discardableResult
    public func close(deadline: Deadline) throws(SSHError) -> Exit {
        try ensureOpen()
        try? sendEOF(deadline: deadline)
        while try read(deadline: deadline) != .eof {}
        _ = try session.call(.read, until: deadline) { libssh2_channel_close(handle) }
        let closed = try session.call(.read, until: deadline) { libssh2_channel_wait_closed(handle) }
        guard closed == 0 else { throw .channelFailed("closing the channel failed: \(session.lastErrorMessage())") }
        let exit = Exit(status: libssh2_channel_get_exit_status(handle), signal: exitSignal())
        _ = try session.call(.write, until: deadline) { libssh2_channel_free(handle) }
        freed = true
        return exit
    }

    /// The handle is gone after `close`; using it then would be a use-after-free.
    private func ensureOpen() throws(SSHError) {
        guard !freed else { throw .channelFailed("the channel is already closed") }
    }

    private func exitSignal() -> String? {
        var name: UnsafeMutablePointer<CChar>?
        var nameLength = 0
        guard libssh2_channel_get_exit_signal(handle, &name, &nameLength, nil, nil, nil, nil) == 0, let name else {
            return nil
        }
        defer { libssh2_free(session.handle, name) }
        return String(cString: name)
    }
}
