import ArgumentParser
import Foundation

// ArgumentParser's own usage errors exit 64; CONTRACT.md wants 2 for bad usage. So argv
// is parsed here: help and version keep ArgumentParser's handling, every other parse
// error exits 2, and a run ends with the ExitCode its result calls for.
let arguments = CommandLineShape.shape(Array(CommandLine.arguments.dropFirst()))
do {
    var command = try PMCtl.parseAsRoot(arguments)
    if let runnable = command as? any RunnableCommand {
        try await runnable.execute()
    } else {
        try command.run()  // help, or the root alone (which shows help)
    }
} catch let exit as ExitCode {
    Foundation.exit(exit.rawValue)
} catch {
    if PMCtl.exitCode(for: error) == .success { PMCtl.exit(withError: error) }
    let message = PMCtl.fullMessage(for: error)
    let text = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
    FileHandle.standardError.write(Data(("pmctl: " + text + "\n").utf8))
    Foundation.exit(2)
}
