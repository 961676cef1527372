import CLibSSH2

/// A host key algorithm, in the three spellings libssh2 and OpenSSH use for it.
struct HostKeyType: Equatable {
    /// The algorithm name on the wire and in known_hosts (`ssh-ed25519`).
    let name: String
    /// `LIBSSH2_HOSTKEY_TYPE_*`, as `libssh2_session_hostkey` reports it.
    let sessionType: Int32
    /// `LIBSSH2_KNOWNHOST_KEY_*`, as the known_hosts calls take it.
    let knownHostMask: Int32

    static let ed25519 = HostKeyType(name: "ssh-ed25519", sessionType: LIBSSH2_HOSTKEY_TYPE_ED25519, knownHostMask: LIBSSH2_KNOWNHOST_KEY_ED25519)
    static let ecdsa256 = HostKeyType(name: "ecdsa-sha2-nistp256", sessionType: LIBSSH2_HOSTKEY_TYPE_ECDSA_256, knownHostMask: LIBSSH2_KNOWNHOST_KEY_ECDSA_256)
    static let ecdsa384 = HostKeyType(name: "ecdsa-sha2-nistp384", sessionType: LIBSSH2_HOSTKEY_TYPE_ECDSA_384, knownHostMask: LIBSSH2_KNOWNHOST_KEY_ECDSA_384)
    static let ecdsa521 = HostKeyType(name: "ecdsa-sha2-nistp521", sessionType: LIBSSH2_HOSTKEY_TYPE_ECDSA_521, knownHostMask: LIBSSH2_KNOWNHOST_KEY_ECDSA_521)
    static let rsa = HostKeyType(name: "ssh-rsa", sessionType: LIBSSH2_HOSTKEY_TYPE_RSA, knownHostMask: LIBSSH2_KNOWNHOST_KEY_SSHRSA)

    /// ed25519 first: libssh2 would otherwise pick ecdsa when a server has both, and
    /// ed25519 is what our agent hosts are set up with.
    static let preferenceOrder: [HostKeyType] = [.ed25519, .ecdsa256, .ecdsa384, .ecdsa521, .rsa]

    static func fromSession(type: Int32) -> HostKeyType? {
        preferenceOrder.first { $0.sessionType == type }
    }
}
