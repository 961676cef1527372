import CLibSSH2
import Foundation

/// A known_hosts file as libssh2 reads it, for one session.
///
/// Read line by line (not with `libssh2_knownhost_readfile`, which stops at the first line
/// it cannot parse, such as `@cert-authority` or an `sk-` key): unparseable lines are
/// skipped, and each entry's line number stays known for error messages. Hashed entries
/// (`|1|salt|hash`) work: libssh2 hashes the name it is asked about.
struct KnownHosts: ~Copyable {
    private let collection: OpaquePointer
    private let session: OpaquePointer
    let path: String
    /// The file's lines with their 1-based numbers, for locating an entry later.
    private let lines: [(number: Int, text: String)]

    init(session: OpaquePointer, path: String) throws(SSHError) {
        guard let collection = libssh2_knownhost_init(session) else {
            throw .handshakeFailed("libssh2 could not allocate a known_hosts collection")
        }
        self.collection = collection
        self.session = session
        self.path = path
        var lines: [(Int, String)] = []
        // A missing file is an empty one: every host is then unknown, which the error explains.
        if let data = FileManager.default.contents(atPath: path) {
            let text = String(decoding: data, as: UTF8.self)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
                lines.append((index + 1, trimmed))
                _ = Self.read(trimmed, into: collection)
            }
        }
        self.lines = lines
    }

    deinit { libssh2_knownhost_free(collection) }

    /// How OpenSSH names a host in known_hosts: bare on port 22, `[host]:port` otherwise.
    static func entryName(host: String, port: Int) -> String {
        port == 22 ? host : "[\(host)]:\(port)"
    }

    /// Loads one line. libssh2 takes a length but still reads up to a NUL at the end of
    /// the key (as `fgets` lines in `readfile` always have): a buffer without one made it
    /// compare stray bytes and report a changed key now and then.
    private static func read(_ line: String, into collection: OpaquePointer) -> Bool {
        line.withCString { text in
            libssh2_knownhost_readline(collection, text, strlen(text), LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0
        }
    }

    /// The host key algorithms known_hosts holds for `name`, ed25519 first, as
    /// `libssh2_session_method_pref` takes them.
    ///
    /// libssh2 has no query for this, but a check with a key that cannot match answers
    /// MISMATCH exactly when an entry of that type exists for the name (hashed or not).
    func algorithms(for name: String) -> [String] {
        HostKeyType.preferenceOrder.filter { type in
            libssh2_knownhost_check(
                collection, name, "AAAA", 0,
                LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_BASE64 | type.knownHostMask, nil)
                == LIBSSH2_KNOWNHOST_CHECK_MISMATCH
        }.map(\.name)
    }

    enum Verdict {
        case match
        case mismatch(line: Int?)
        case notFound
    }

    /// Checks the server's raw key blob of `type` for `name`.
    func check(name: String, key: [UInt8], type: HostKeyType) -> Verdict {
        let verdict = Self.check(collection, name: name, key: key, type: type)
        switch verdict {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH: return .match
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH: return .mismatch(line: lineOfMismatch(name: name, key: key, type: type))
        default: return .notFound
        }
    }

    private static func check(_ collection: OpaquePointer, name: String, key: [UInt8], type: HostKeyType) -> Int32 {
        key.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                libssh2_knownhost_check(
                    collection, name, $0.baseAddress, $0.count,
                    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type.knownHostMask, nil)
            }
        }
    }

    /// Finds the first line whose entry holds a different key for `name`: each line is
    /// loaded alone into a scratch collection and checked. Only on the error path.
    private func lineOfMismatch(name: String, key: [UInt8], type: HostKeyType) -> Int? {
        for (number, text) in lines {
            guard let scratch = libssh2_knownhost_init(session) else { return nil }
            defer { libssh2_knownhost_free(scratch) }
            guard Self.read(text, into: scratch) else { continue }
            if Self.check(scratch, name: name, key: key, type: type) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH { return number }
        }
        return nil
    }
}
