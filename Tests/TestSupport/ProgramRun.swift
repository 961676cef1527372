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
    ///   - timeout: kill it (SIGKILL, by PID) after that many seconds.
    public static func run(_ executable: URL, _ arguments: [String], environment changes: [String: String?] = [:],
                           interruptAfter: Double? = nil, timeout: Double = 600) throws -> ProgramRun {
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
        // Both pipes drain at once, so neither can fill up and stall the program.
        let stdoutData = ThreadBox<Data>()
        let stderrData = ThreadBox<Data>()
        Thread { stdoutData.value = out.fileHandleForReading.readDataToEndOfFile() }.start()
        Thread { stderrData.value = err.fileHandleForReading.readDataToEndOfFile() }.start()
        // A program that outlives its time limit is killed: a hung test fails, CI goes on.
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > end {
                kill(process.processIdentifier, SIGKILL)
                break
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        process.waitUntilExit()
        // A background process the program left behind may still hold its output open;
        // take what arrived rather than wait for it forever.
        let drained = Date().addingTimeInterval(5)
        while (stdoutData.value == nil || stderrData.value == nil) && Date() < drained { Thread.sleep(forTimeInterval: 0.005) }
        var stderr = String(decoding: stderrData.value ?? Data(), as: UTF8.self)
        if Date() > end { stderr += "\n[test support: killed after \(Int(timeout)) s]" }
        return ProgramRun(status: process.terminationStatus, stdout: String(decoding: stdoutData.value ?? Data(), as: UTF8.self),
                          stderr: stderr)
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
