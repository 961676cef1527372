#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the small host files the agent reports, under the sysroot when they exist there
/// (the lab gives each simulated host its own), else from `/`.
struct SystemFiles: Sendable {
    var sysroot: String

    /// The contents of `path` (absolute, as on the host), or nil when neither copy is readable.
    func read(_ path: String) -> String? {
        if sysroot != "/", let text = Self.readFile(sysroot + path) { return text }
        return Self.readFile(path)
    }

    /// The first line of `path`, trimmed; nil when missing or empty.
    func firstLine(_ path: String) -> String? {
        guard let text = read(path) else { return nil }
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let trimmed = line.trimmingSpaces
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Whether `path` exists under the sysroot or at `/`.
    func exists(_ path: String) -> Bool {
        (sysroot != "/" && access(sysroot + path, F_OK) == 0) || access(path, F_OK) == 0
    }

    /// Reads at most 64 KiB: these files are a line or two, and a sysroot could hold anything.
    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65_536 {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The names in a directory, sorted; empty when it cannot be read.
    static func listDirectory(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The target of a symbolic link, or nil.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
