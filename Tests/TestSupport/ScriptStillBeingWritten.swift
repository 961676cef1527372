import Foundation

/// An executable script whose file stays open for writing a little while, as when a forked
/// child still holds the writer's descriptor: exec'ing it fails with ETXTBSY until then.
public struct ScriptStillBeingWritten {
    public let path: String

    /// Writes `script` to `folder`/tool (mode 0755) and closes it `closeAfter` seconds later.
    public init(in folder: TemporaryDirectory, script: String, closeAfter: Double = 0.15) throws {
        path = folder.file("tool")
        let writer = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard writer >= 0 else { throw CocoaError(.fileWriteUnknown) }
        guard script.withCString({ write(writer, $0, strlen($0)) }) == script.utf8.count else {
            close(writer)
            throw CocoaError(.fileWriteUnknown)
        }
        Thread {
            usleep(useconds_t(closeAfter * 1_000_000))
            close(writer)
        }.start()
    }
}
