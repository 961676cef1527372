import CLibSSH2
import Foundation
import Glibc

/// One authenticated SSH connection, driven without blocking.
///
/// libssh2 runs in non-blocking mode and every wait goes through poll(2) on the socket,
/// in slices of at most 100 ms, so each operation ends at its deadline with
/// `.timeout(phase)`, or with `.cancelled` soon after its `Cancellation` is set.
///
/// A session and its channels belong to the thread that made them: they are not
/// `Sendable` and must not be shared. To run one from async code, do the whole per-host
/// job inside `onDedicatedThread`.
public final class SSHSession {
    /// Who this session is logged in as, and where.
    public let target: SSHTarget
    let handle: OpaquePointer
    let connection: TCPConnection
    let cancel: Cancellation
    private var disconnected = false
    /// Channels released while their close still waited for the server: libssh2 frees them
    /// later (`freeReleasedChannels`, or with the session), never by cutting the socket
    /// other channels still use.
    var releasedChannels: [OpaquePointer] = []
    /// Whether key exchange finished: before that there is nobody to say goodbye to.
    private var handshakeDone = false

    private init(target: SSHTarget, handle: OpaquePointer, connection: TCPConnection, cancel: Cancellation) {
        self.target = target
        self.handle = handle
        self.connection = connection
        self.cancel = cancel
    }

    deinit {
        if !disconnected && handshakeDone {
            // Say goodbye if it is quick; a dead peer must not hold up the release.
            _ = try? call(.write, until: .after(seconds: 0.2)) { pm_session_disconnect(handle, "closed") }
        }
        // After shutdown, every libssh2 send/recv fails at once instead of asking to wait,
        // so freeing cannot loop on EAGAIN.
        connection.shutdownBothWays()
        var attempts = 0
        while libssh2_session_free(handle) == LIBSSH2_ERROR_EAGAIN && attempts < 100 { attempts += 1 }
    }

    /// Connects, checks the host key against `target.knownHosts`, and authenticates.
    ///
    /// - Parameters:
    ///   - deadline: for the three phases together; default `target.connectTimeout` from now.
    ///   - cancel: ends the work with `.cancelled` within about 100 ms when set; it also
    ///     governs every later operation on this session.
    public static func connect(
        to target: SSHTarget, deadline: Deadline? = nil, cancel: Cancellation = .none
    ) throws(SSHError) -> SSHSession {
        try LibSSH2.ensureInitialized()
        let deadline = deadline ?? .after(target.connectTimeout)
        let connection = try TCPConnection.connect(host: target.host, port: target.port, deadline: deadline, cancel: cancel)
        guard let handle = pm_session_init() else { throw .handshakeFailed("libssh2 could not allocate a session") }
        let session = SSHSession(target: target, handle: handle, connection: connection, cancel: cancel)
        libssh2_session_set_blocking(handle, 0)
        pm_session_use_quickack_recv(handle)
        try session.handshake(deadline: deadline)
        try session.authenticate(deadline: deadline)
        return session
    }

    /// Ends the session politely (SSH disconnect message). Releasing the session without
    /// it is fine too; this only lets the server log a clean goodbye.
    public func disconnect(deadline: Deadline) throws(SSHError) {
        guard !disconnected else { return }
        disconnected = true
        _ = try call(.write, until: deadline) { pm_session_disconnect(handle, "done") }
    }

    // MARK: handshake

    private func handshake(deadline: Deadline) throws(SSHError) {
        let knownHosts = try KnownHosts(session: handle, path: target.knownHosts)
        let entryName = KnownHosts.entryName(host: target.host, port: target.port)
        let knownAlgorithms = knownHosts.algorithms(for: entryName)
        // Ask only for the key types known_hosts can vouch for, so a server with several
        // host keys shows the one we know. With none known, ask ed25519 first so the
        // error's fingerprint matches the ssh-keyscan line it suggests.
        let wanted = knownAlgorithms.isEmpty ? HostKeyType.preferenceOrder.map(\.name) : knownAlgorithms
        _ = libssh2_session_method_pref(handle, LIBSSH2_METHOD_HOSTKEY, wanted.joined(separator: ","))

        let status = try call(.handshake, until: deadline) { libssh2_session_handshake(handle, connection.descriptor) }
        if status != 0 {
            var detail = lastErrorMessage()
            if status == LIBSSH2_ERROR_KEX_FAILURE && !knownAlgorithms.isEmpty {
                detail += " (known_hosts holds only \(knownAlgorithms.joined(separator: ", ")) for \(entryName) "
                    + "and the server offered none of them: if the host was reinstalled, update \(target.knownHosts))"
            }
            throw .handshakeFailed(detail)
        }
        handshakeDone = true
        try verifyHostKey(knownHosts, entryName: entryName)
    }

    private func verifyHostKey(_ knownHosts: borrowing KnownHosts, entryName: String) throws(SSHError) {
        var length = 0
        var rawType: Int32 = 0
        guard let keyPointer = libssh2_session_hostkey(handle, &length, &rawType), length > 0 else {
            throw .handshakeFailed("the server presented no host key")
        }
        let key = Array(UnsafeRawBufferPointer(start: keyPointer, count: length))
        guard let type = HostKeyType.fromSession(type: rawType) else {
            throw .handshakeFailed("the server's host key type (\(rawType)) is not supported; give it an ed25519 host key")
        }
        func problem(line: Int? = nil) -> HostKeyProblem {
            HostKeyProblem(
                host: target.host, port: target.port, keyType: type.name, fingerprint: fingerprint(),
                knownHostsPath: target.knownHosts, line: line)
        }
        switch knownHosts.check(name: entryName, key: key, type: type) {
        case .match: return
        case .mismatch(let line): throw .hostKeyChanged(problem(line: line))
        case .notFound: throw .hostKeyUnknown(problem())
        }
    }

    /// The host key's SHA-256 fingerprint as OpenSSH prints it.
    private func fingerprint() -> String {
        guard let hash = libssh2_hostkey_hash(handle, LIBSSH2_HOSTKEY_HASH_SHA256) else { return "SHA256:?" }
        let data = Data(bytes: hash, count: 32)
        return "SHA256:" + data.base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    // MARK: authentication

    private func authenticate(deadline: Deadline) throws(SSHError) {
        var tried: [String] = []
        if let socket = target.agentSocket {
            if try authenticateWithAgent(socket: socket, deadline: deadline, tried: &tried) { return }
        }
        for file in target.identityFiles {
            guard FileManager.default.fileExists(atPath: file) else {
                tried.append("\(file) (no such file)")
                continue
            }
            let status = try call(.auth, until: deadline) { pm_userauth_publickey_fromfile(handle, target.user, file) }
            switch status {
            case 0: return
            case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
                tried.append("\(file) (refused by the server)")
            case LIBSSH2_ERROR_FILE:
                tried.append("\(file) (unreadable, not a private key, or passphrase-protected: load it into ssh-agent)")
            case LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_SOCKET_SEND:
                tried.append("\(file) (the server closed the connection: \(lastErrorMessage()))")
                throw .authFailed(user: target.user, tried: tried)
            default:
                tried.append("\(file) (\(lastErrorMessage()))")
            }
        }
        throw .authFailed(user: target.user, tried: tried)
    }

    private func authenticateWithAgent(socket: String, deadline: Deadline, tried: inout [String]) throws(SSHError) -> Bool {
        guard let agent = libssh2_agent_init(handle) else { return false }
        defer { libssh2_agent_free(agent) }
        libssh2_agent_set_identity_path(agent, socket)
        guard libssh2_agent_connect(agent) == 0 else {
            tried.append("ssh-agent at \(socket) (cannot connect)")
            return false
        }
        defer { _ = libssh2_agent_disconnect(agent) }
        guard libssh2_agent_list_identities(agent) == 0 else {
            tried.append("ssh-agent at \(socket) (cannot list its keys)")
            return false
        }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var offered = 0
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
            guard libssh2_agent_get_identity(agent, &identity, previous) == 0, let identity else { break }
            previous = identity
            offered += 1
            let status = try call(.auth, until: deadline) { libssh2_agent_userauth(agent, target.user, identity) }
            if status == 0 { return true }
            let comment = identity.pointee.comment.map { String(cString: $0) } ?? "key \(offered)"
            tried.append("ssh-agent key '\(comment)' (refused by the server)")
        }
        if offered == 0 { tried.append("ssh-agent at \(socket) (holds no keys)") }
        return false
    }

    // MARK: channels

    /// Opens a session channel and runs `command` in it (`pmagent serve` for our agents;
    /// a forced command in authorized_keys overrides it).
    public func exec(_ command: String, deadline: Deadline) throws(SSHError) -> SSHChannel {
        guard !command.contains("\0") else { throw .channelFailed("the command contains a NUL byte") }
        let channel = try openSessionChannel(deadline: deadline)
        let status = try call(.channel, until: deadline) { pm_channel_exec(channel.handle, command) }
        guard status == 0 else { throw .channelFailed("the server refused to run the command: \(lastErrorMessage())") }
        return channel
    }

    /// Opens an interactive login shell on a pseudo-terminal.
    public func shell(pty: PTYRequest, deadline: Deadline) throws(SSHError) -> SSHChannel {
        let channel = try openSessionChannel(deadline: deadline)
        let ptyStatus = try call(.channel, until: deadline) {
            pm_channel_request_pty(channel.handle, pty.term, Int32(pty.columns), Int32(pty.rows))
        }
        guard ptyStatus == 0 else { throw .channelFailed("the server refused a pseudo-terminal: \(lastErrorMessage())") }
        let shellStatus = try call(.channel, until: deadline) { pm_channel_shell(channel.handle) }
        guard shellStatus == 0 else { throw .channelFailed("the server refused a shell: \(lastErrorMessage())") }
        return channel
    }

    /// Opens a tunnel (direct-tcpip) from the server to `host`:`port`, as `ssh -L` does;
    /// the channel's stdout is what that port sends.
    public func tunnel(toHost host: String, port: Int, deadline: Deadline) throws(SSHError) -> SSHChannel {
        let host = try SSHTarget.checkedHost(host)
        guard (1...65535).contains(port) else { throw .invalidTarget("tunnel port \(port) is not in 1...65535") }
        let handle = try callPointer(.channel, until: deadline) {
            libssh2_channel_direct_tcpip_ex(self.handle, host, Int32(port), "127.0.0.1", 0)
        }
        guard let handle else {
            throw .channelFailed("the server refused a tunnel to \(host):\(port): \(lastErrorMessage())")
        }
        return SSHChannel(handle: handle, session: self)
    }

    private func openSessionChannel(deadline: Deadline) throws(SSHError) -> SSHChannel {
        let handle = try callPointer(.channel, until: deadline) { pm_channel_open_session(self.handle) }
        guard let handle else { throw .channelFailed("the server refused a session channel: \(lastErrorMessage())") }
        return SSHChannel(handle: handle, session: self)
    }

    // MARK: the non-blocking machinery

    /// Repeats a libssh2 call while it answers EAGAIN, waiting on the socket between tries.
    /// Returns the call's final status (zero, positive, or a libssh2 error) for the caller
    /// to interpret.
    func call(_ phase: SSHError.Phase, until deadline: Deadline, _ body: () -> Int32) throws(SSHError) -> Int32 {
        while true {
            if cancel.isCancelled { throw .cancelled }
            let status = body()
            guard status == LIBSSH2_ERROR_EAGAIN else { return status }
            try waitForSocket(phase, until: deadline)
        }
    }

    /// `call` for the libssh2 calls that return a handle, or NULL with EAGAIN as the error.
    func callPointer(_ phase: SSHError.Phase, until deadline: Deadline, _ body: () -> OpaquePointer?) throws(SSHError) -> OpaquePointer? {
        while true {
            if cancel.isCancelled { throw .cancelled }
            if let pointer = body() { return pointer }
            guard libssh2_session_last_errno(handle) == LIBSSH2_ERROR_EAGAIN else { return nil }
            try waitForSocket(phase, until: deadline)
        }
    }

    /// Waits until the socket can move in the direction libssh2 was blocked on.
    func waitForSocket(_ phase: SSHError.Phase, until deadline: Deadline) throws(SSHError) {
        let directions = libssh2_session_block_directions(handle)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        try connection.wait(for: events, until: deadline, cancel: cancel, phase: phase)
    }

    /// libssh2's text for the last error on this session.
    func lastErrorMessage() -> String {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(handle, &message, &length, 0)
        let text = message.map { String(cString: $0) } ?? ""
        return text.isEmpty ? "libssh2 error \(code)" : text
    }
}
