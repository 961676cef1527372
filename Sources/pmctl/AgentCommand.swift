import ArgumentParser
import Foundation
import PMController
import PMProtocol

struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Preparing managed hosts for pmagent.",
        subcommands: [AgentSudoers.self, AgentInstall.self])
}

struct AgentSudoers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sudoers",
        abstract: "Print the sudoers file a non-root agent needs, checked with visudo first.",
        discussion: """
        One line per binary the agent may run as root, NOPASSWD, arguments pinned where the agent's use is \
        fixed. Paths are Debian's unless --path says otherwise (use what 'pmctl check HOST' or 'pmagent check' \
        shows). Install it on the host with: visudo -cf FILE && install -m 0440 FILE /etc/sudoers.d/pmagent
        """)

    @Option(help: ArgumentHelp("The agent's login on the managed hosts.", valueName: "name"))
    var user = "pmagent"

    @OptionGroup var toolPaths: SudoersToolPaths

    func validate() throws {
        guard AgentPrivileges.isUserName(user) else { throw ValidationError("--user '\(user)' is not a login name (a-z, 0-9, _ and -, starting with a letter or _)") }
        _ = try toolPaths.table()
    }

    func run() throws {
        let text = AgentPrivileges.sudoers(user: user, paths: try toolPaths.table())
        guard let visudo = LocalCommand.locate("visudo") else {
            FileDescriptorSink.standardError.write("pmctl: visudo is not installed here (Debian package: sudo); it checks the file before it is printed\n")
            throw ExitCode(2)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pmctl-sudoers-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try LocalCommand.run(visudo, ["-c", "-q", "-f", file], timeout: 30)
        guard check.status == 0 else {
            FileDescriptorSink.standardError.write("pmctl: visudo refused the generated file: \(check.stderr)\(check.stdout)\n")
            throw ExitCode(1)
        }
        FileDescriptorSink.standardOutput.write(text)
    }
}
