import Foundation
import Testing
import TestSupport

/// The files an operator installs beside the agent.
@Suite("agent/deploy")
struct DeployTests {
    @Test("The sudoers template is valid sudoers once the agent's user is filled in")
    func sudoersTemplatePassesVisudo() throws {
        let visudo = "/usr/sbin/visudo"
        try #require(FileManager.default.isExecutableFile(atPath: visudo), "visudo (package sudo) is needed")
        let template = try String(contentsOf: Repository.root.appendingPathComponent("agent/deploy/sudoers.template"), encoding: .utf8)
        let fixture = try AgentFixture()
        let path = fixture.root + "/sudoers"
        try fixture.write(template.replacingOccurrences(of: "@AGENT_USER@", with: "pmagent"), to: path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: visudo)
        process.arguments = ["-cf", path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("The executable the tests drive is the one TestSupport names, and it reports its version")
    func testSupportFindsTheBuiltAgent() throws {
        let path = AgentFixture.agentPath
        #expect(FileManager.default.isExecutableFile(atPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--version"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text == "0.1.0 (protocol 1.1)\n")
    }
}
