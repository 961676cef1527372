import CLibSSH2

/// Process-wide libssh2 state.
enum LibSSH2 {
    /// `libssh2_init` must run once before the first session, and not concurrently with
    /// itself; a global `let` is initialised exactly once, thread-safely, on first use.
    static let initialized: Int32 = libssh2_init(0)

    /// Makes sure the library is initialised; every session start calls it.
    static func ensureInitialized() throws(SSHError) {
        guard initialized == 0 else { throw .handshakeFailed("libssh2_init failed with \(initialized)") }
    }
}
