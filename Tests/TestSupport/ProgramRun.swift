import Foundation

/// One finished run of a program the tests started: exit status and both outputs.
public struct ProgramRun: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    /// Runs `executable` with `arguments` and standard input from /dev/null, and waits.
    /// - Parameters:
    ///   - environment: changes to this process's environment (nil removes a variable).
    ///   - interruptAfter: send SIGINT (to its PID) after that many seconds.
    public static func run(_ executable: URL, _ arguments: [String], environment changes: [String: String?] = [:],
                           interruptAfter: Double? = nil) throws -> ProgramRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        if let interruptAfter {
            Thread.sleep(forTimeInterval: interruptAfter)
            kill(process.processIdentifier, SIGINT)
        }
        // Both pipes drain together, so neither can fill up and stall the program.
        let stderrData = ThreadBox<Data>()
        let reader = Thread { stderrData.value = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while stderrData.value == nil { Thread.sleep(forTimeInterval: 0.005) }
        return ProgramRun(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                          stderr: String(decoding: stderrData.value ?? Data(), as: UTF8.self))
    }
}

/// A value handed from one thread to another.
final class ThreadBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?
    var value: Value? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
