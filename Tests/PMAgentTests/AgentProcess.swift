import Foundation
import PMProtocol
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A real `pmagent serve` process on pipes: what the tests talk to, line by line.
final class AgentProcess {
    let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private var buffer: [UInt8] = []
    /// stderr, drained as it arrives: an agent (or the ssh in front of it) that logs more
    /// than a pipe holds would otherwise block on it, and never finish.
    private let stderrSink = StderrSink()
    private(set) var reachedEOF = false
    /// Every line read from stdout, raw, in order: nothing but protocol lines may appear.
    private(set) var rawLines: [String] = []
    let hello: Message

    /// Starts `executable arguments...` (the agent itself, or `setpriv`/`ip netns exec`
    /// in front of it) and reads the greeting.
    init(executable: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        let sink = stderrSink
        stderrPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil } else { sink.append(data) }
        }
        try process.run()
        hello = try Self.readGreeting(from: stdoutPipe.fileHandleForReading.fileDescriptor, into: &buffer, lines: &rawLines)
    }

    private static func readGreeting(from fd: Int32, into buffer: inout [UInt8], lines: inout [String]) throws -> Message {
        var eof = false
        guard let line = try readRawLine(fd: fd, buffer: &buffer, eof: &eof, timeout: 20) else {
            throw AgentTestError("the agent sent no greeting")
        }
        lines.append(line)
        guard let message = try LineCodec.decode(Array(line.utf8)) else { throw AgentTestError("empty greeting") }
        return message
    }

    /// Sends raw bytes (a line must carry its own LF).
    func send(raw bytes: [UInt8]) {
        stdinPipe.fileHandleForWriting.write(Data(bytes))
    }

    func send(_ line: String) { send(raw: Array((line + "\n").utf8)) }

    /// The next line as a message, or nil at EOF.
    func readMessage(timeout: Double = 30) throws -> Message? {
        guard let line = try Self.readRawLine(fd: stdoutPipe.fileHandleForReading.fileDescriptor, buffer: &buffer,
                                              eof: &reachedEOF, timeout: timeout)
        else { return nil }
        rawLines.append(line)
        guard let message = try LineCodec.decode(Array(line.utf8)) else {
            throw AgentTestError("the agent sent an empty line")
        }
        return message
    }

    /// Sends `line` and reads every line up to and including the final `OK`/`ERR`.
    func request(_ line: String, timeout: Double = 30) throws -> [Message] {
        send(line)
        return try readUntilFinal(timeout: timeout)
    }

    func readUntilFinal(timeout: Double = 30) throws -> [Message] {
        var messages: [Message] = []
        while let message = try readMessage(timeout: timeout) {
            messages.append(message)
            if message.kind.isFinal { return messages }
        }
        throw AgentTestError("the agent closed its output before a final line; got \(messages)")
    }

    /// Whether stdout reached EOF within `timeout` with no further line.
    func outputEnds(timeout: Double = 10) throws -> Bool {
        let extra = try readMessage(timeout: timeout)
        if let extra { throw AgentTestError("unexpected line after the end: \(extra)") }
        return reachedEOF
    }

    /// Closes stdin and waits for the agent to exit; returns its exit status.
    @discardableResult
    func finish(timeout: Double = 20) throws -> Int32 {
        try? stdinPipe.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw AgentTestError("the agent did not exit after EOF")
            }
            usleep(20_000)
        }
        return process.terminationStatus
    }

    /// Everything the agent wrote to stderr so far.
    var stderrText: String { String(decoding: stderrSink.contents, as: UTF8.self) }

    /// Ends an agent the test left running: EOF first, as a controller would, then SIGTERM.
    /// (Polls isRunning: Process.waitUntilExit can hang in a deinit on Linux.)
    deinit {
        try? stdinPipe.fileHandleForWriting.close()
        for attempt in 0..<400 where process.isRunning {
            if attempt == 200 { process.terminate() }
            usleep(10_000)
        }
    }

    private static func readRawLine(fd: Int32, buffer: inout [UInt8], eof: inout Bool, timeout: Double) throws -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            if eof {
                if buffer.isEmpty { return nil }
                throw AgentTestError("unterminated output: \(String(decoding: buffer, as: UTF8.self))")
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw AgentTestError("no line from the agent within \(timeout) s") }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(min(remaining, 1) * 1000))
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { eof = true } else { buffer += chunk[0..<count] }
        }
    }
}

/// Collects stderr from Foundation's reader thread.
final class StderrSink: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ more: Data) { lock.withLock { data.append(more) } }
    var contents: Data { lock.withLock { data } }
}

struct AgentTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Message {
    /// A field as text, for assertions.
    subscript(key: String) -> String? { fields.text(key) }

    /// `STEP` lines as (step, name, result).
    var stepTriple: String? {
        guard let step = Step(self) else { return nil }
        return "\(step.step) \(step.name) \(step.result)"
    }
}

extension Array where Element == Message {
    var steps: [String] { compactMap(\.stepTriple) }
    var final: Message? { last.flatMap { $0.kind.isFinal ? $0 : nil } }
}
