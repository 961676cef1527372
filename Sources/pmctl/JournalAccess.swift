import ArgumentParser
import PMController

/// The journal of `--state`, for the commands that read it (history, retry); a clear error
/// and exit 2 when it cannot be opened.
enum JournalAccess {
    static func reader(_ globals: GlobalOptions) throws -> JournalReader {
        do {
            return JournalReader(database: try JournalDatabase(stateDirectory: StateDirectory.path(globals.state)))
        } catch {
            FileDescriptorSink.standardError.write("pmctl: cannot open the journal in \(StateDirectory.path(globals.state)): \(error)\n")
            throw ExitCode(2)
        }
    }
}
