import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A network namespace the test makes and deletes itself, so interfaces, bridges and
/// their up/down never touch the test machine's own network.
final class NetworkNamespace {
    let name: String
    static let ipPath = FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"
    private static let counter = Counter()

    init() throws {
        name = "pmat-\(getpid())-\(Self.counter.next())"
        try Self.ip(["netns", "add", name])
    }

    /// Runs `ip -n NAME ARGS...`.
    func ip(_ arguments: [String]) throws {
        try Self.ip(["-n", name] + arguments)
    }

    /// `ip -n NAME -o link show DEV`.
    func linkLine(_ device: String) throws -> String {
        try Self.ip(["-n", name, "-o", "link", "show", device])
    }

    deinit { _ = try? Self.ip(["netns", "delete", name]) }

    @discardableResult
    static func ip(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ipPath)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw AgentTestError("ip \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    private final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}
