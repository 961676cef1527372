import Foundation
import Testing
import TestSupport

/// What an operator meets first: versions, shell completions, the example inventory.
@Suite struct OperatorSurfaceTests {
    static let subcommands = ["status", "check", "info", "cancel", "wake", "learn", "console", "ipmi", "history", "retry"]

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsNameEverySubcommand(_ shell: String) throws {
        let run = try ProgramRun.run(Repository.executable("pmctl"), ["--generate-completion-script", shell])
        #expect(run.status == 0, "\(run.stderr)")
        for command in Self.subcommands { #expect(run.stdout.contains(command), "\(shell) completion lacks \(command)") }
    }

    @Test func bothProgramsPrintTheirVersionAndTheProtocolVersion() throws {
        for program in ["pmctl", "pmagent"] {
            let run = try ProgramRun.run(Repository.executable(program), ["--version"])
            #expect(run.status == 0)
            #expect(run.stdout.contains("(protocol 1.1)"), "\(program): \(run.stdout)")
        }
    }

    @Test func helpListsEverySubcommand() throws {
        let run = try ProgramRun.run(Repository.executable("pmctl"), ["--help"])
        for command in Self.subcommands { #expect(run.stdout.contains("  \(command)"), "--help lacks \(command)") }
    }
}
