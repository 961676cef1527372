import CLibSSH2

extension SSHSession {
    /// Writes `bytes` to the absolute `path` on the server over SFTP, with exactly `mode`
    /// (the server's umask does not apply).
    ///
    /// The bytes go to `path.pmctl-upload` first and are renamed over `path` once complete,
    /// so a reader never sees half a file and a running binary can be replaced.
    public func upload(_ bytes: [UInt8], to path: String, mode: UInt32, deadline: Deadline) throws(SSHError) {
        guard path.hasPrefix("/"), !path.contains("\0"), !path.contains("\n"), !path.hasSuffix("/") else {
            throw .invalidTarget("upload path '\(path)' must be an absolute file path")
        }
        guard mode <= 0o7777 else { throw .invalidTarget("mode \(String(mode, radix: 8)) is not a permission mode") }
        let sftp = try callPointer(.channel, until: deadline) { libssh2_sftp_init(handle) }
        guard let sftp else { throw .channelFailed("the server offers no SFTP: \(lastErrorMessage())") }
        defer {
            let quick = Deadline.after(seconds: 0.2)
            _ = try? call(.write, until: quick) { libssh2_sftp_shutdown(sftp) }
        }
        let temporary = path + ".pmctl-upload"
        try writeFile(sftp: sftp, path: temporary, bytes: bytes, mode: mode, deadline: deadline)
        // SFTP version 3 (OpenSSH) refuses to rename over an existing file.
        _ = try call(.write, until: deadline) { pm_sftp_unlink(sftp, path) }
        let renamed = try call(.write, until: deadline) { pm_sftp_rename(sftp, temporary, path) }
        guard renamed == 0 else { throw .channelFailed("renaming \(temporary) to \(path) failed: \(sftpError(sftp))") }
    }

    private func writeFile(sftp: OpaquePointer, path: String, bytes: [UInt8], mode: UInt32, deadline: Deadline) throws(SSHError) {
        let flags = UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC)
        let file = try callPointer(.channel, until: deadline) { pm_sftp_open(sftp, path, flags, Int(mode)) }
        guard let file else { throw .channelFailed("cannot create \(path): \(sftpError(sftp))") }
        var closed = false
        defer {
            if !closed { _ = try? call(.write, until: .after(seconds: 0.2)) { pm_sftp_close(file) } }
        }
        var offset = 0
        while offset < bytes.count {
            let written = try bytes.withUnsafeBufferPointer { raw throws(SSHError) in
                try raw.withMemoryRebound(to: CChar.self) { chars throws(SSHError) in
                    var count = 0
                    _ = try call(.write, until: deadline) {
                        count = libssh2_sftp_write(file, chars.baseAddress! + offset, chars.count - offset)
                        return count == Int(LIBSSH2_ERROR_EAGAIN) ? LIBSSH2_ERROR_EAGAIN : 0
                    }
                    return count
                }
            }
            guard written > 0 else { throw .channelFailed("writing \(path) failed: \(sftpError(sftp))") }
            offset += written
        }
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        attributes.flags = UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS)
        attributes.permissions = UInt(mode)
        let changed = try call(.write, until: deadline) { pm_sftp_fsetstat(file, &attributes) }
        guard changed == 0 else { throw .channelFailed("setting mode \(String(mode, radix: 8)) on \(path) failed: \(sftpError(sftp))") }
        closed = true
        let status = try call(.write, until: deadline) { pm_sftp_close(file) }
        guard status == 0 else { throw .channelFailed("closing \(path) failed: \(sftpError(sftp))") }
    }

    /// The SFTP status of the last failure, in words, with libssh2's message.
    private func sftpError(_ sftp: OpaquePointer) -> String {
        let code = libssh2_sftp_last_error(sftp)
        let names: [UInt: String] = [
            2: "no such file or directory", 3: "permission denied", 4: "failure", 11: "file already exists",
            14: "no space on filesystem", 15: "quota exceeded",
        ]
        return names[code].map { "\($0) (\(lastErrorMessage()))" } ?? lastErrorMessage()
    }
}
