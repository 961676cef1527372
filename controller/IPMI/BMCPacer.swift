import Foundation

/// Keeps at least `interval` seconds between two commands to the same BMC, within a run
/// and across runs: some BMCs fail when driven faster. Each BMC has a small file in the
/// state folder holding the time of its last command, locked while a command runs, so
/// parallel pmctl processes take turns too.
public struct BMCPacer: Sendable {
    public let interval: Double
    private let folder: String

    public init(stateDirectory: String, interval: Double) {
        self.interval = interval
        folder = stateDirectory + "/bmc"
    }

    /// Waits for this BMC's turn, runs `body`, and stamps the time. Blocks the calling thread.
    public func paced<T>(_ bmc: BMCEndpoint, _ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let name = "\(bmc.address)_\(bmc.port)".map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" ? $0 : "-" }
        let path = folder + "/" + String(name)
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }

        var buffer = [UInt8](repeating: 0, count: 64)
        let count = pread(fd, &buffer, buffer.count, 0)
        let last = count > 0 ? Double(String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 : 0
        let wait = last + interval - Date().timeIntervalSince1970
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        defer {
            let stamp = Array(String(format: "%.6f\n", Date().timeIntervalSince1970).utf8)
            ftruncate(fd, 0)
            _ = stamp.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return try body()
    }
}
