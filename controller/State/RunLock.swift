import Foundation

/// A run family's lock: the running pmctl holds it (flock on `run-locks/RUN-ID` in the state
/// folder, RUN-ID being the family's first run) from before the run is journaled until it
/// ends, so `pmctl retry` can tell that run is still going and refuse, instead of sending
/// again to hosts whose results are still coming. The kernel drops the lock when the
/// process dies, however it dies.
public final class RunLock: @unchecked Sendable {
    // Only the descriptor, fixed at init and closed once in deinit.
    private let descriptor: Int32
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Takes the lock of `runID`'s family without waiting; nil when another process holds it.
    public static func acquire(stateDirectory: String, runID: String) throws -> RunLock? {
        let folder = stateDirectory + "/run-locks"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + String(runID.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO, userInfo: [NSFilePathErrorKey: path])
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return RunLock(descriptor: descriptor, path: path)
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
