import Foundation

/// Runs a program on the controller's own host: an absolute path and an argument array,
/// never a shell; standard input is /dev/null so nothing can stop to ask for a password.
public struct LocalCommand {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var timedOut: Bool
    }

    /// The fixed folders searched for programs the controller runs, in order (not the
    /// caller's $PATH, which a stray `.` or a writable folder would turn against us).
    public static let fixedSearchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The folders searched: `$PMCTL_PROGRAM_PATH` (colon-separated; only absolute folders
    /// count) instead of the fixed ones when it names any, else the fixed ones. It lets an
    /// operator use programs kept elsewhere, and tests put recording fakes first.
    public static func searchPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let chosen = (environment["PMCTL_PROGRAM_PATH"] ?? "").split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
        return chosen.isEmpty ? fixedSearchPath : chosen
    }

    /// The absolute path of `tool`, or nil when no search folder holds it.
    public static func locate(_ tool: String, in folders: [String] = searchPath()) -> String? {
        folders.map { $0 + "/" + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `path` with `arguments`, waiting at most `timeout` seconds; on time-out the
    /// program is killed and `timedOut` is set. Blocks the calling thread: call it from a
    /// dedicated thread, not from Swift's cooperative pool.
    public static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                    timeout: Double) throws -> Result {
        let finished = DispatchSemaphore(value: 0)
        // A program whose file is still open for writing somewhere (a copy of the writer's
        // descriptor in a process forked just then, a package upgrade replacing it) cannot be
        // started (ETXTBSY) for a few milliseconds: retry briefly rather than fail the host.
        // A Process runs once, so each try gets a new one.
        var retries = 0
        var started: (process: Process, out: Pipe, err: Pipe)
        while true {
            started = configured(path, arguments, environment: environment) { finished.signal() }
            do {
                try started.process.run()
                break
            } catch where isTextFileBusy(error) && retries < 20 {
                retries += 1
                usleep(25_000)
            }
        }
        let (process, out, err) = started
        // Drain both pipes at once (reading one to its end first deadlocks once the other
        // fills up); started only once the program runs, so a failed start leaves no reader.
        let group = DispatchGroup()
        let collected = Collected()
        for (pipe, isError) in [(out, false), (err, true)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.store(data, isError: isError)
                group.leave()
            }
        }
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        group.wait()
        return Result(status: process.terminationStatus, stdout: collected.text(isError: false),
                      stderr: collected.text(isError: true), timedOut: timedOut)
    }

    private static func configured(_ path: String, _ arguments: [String], environment: [String: String]?,
                                   onExit: @escaping @Sendable () -> Void) -> (process: Process, out: Pipe, err: Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.terminationHandler = { _ in onExit() }
        return (process, out, err)
    }

    private static func isTextFileBusy(_ error: any Error) -> Bool {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return error.code == Int(ETXTBSY) }
        guard let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError else { return false }
        return underlying.domain == NSPOSIXErrorDomain && underlying.code == Int(ETXTBSY)
    }
}

/// The two output streams of a run, filled from two reader threads.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data(), err = Data()

    func store(_ data: Data, isError: Bool) {
        lock.withLock { if isError { err = data } else { out = data } }
    }

    func text(isError: Bool) -> String {
        lock.withLock { String(decoding: isError ? err : out, as: UTF8.self) }
    }
}
