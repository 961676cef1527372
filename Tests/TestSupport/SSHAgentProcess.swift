import Foundation

/// A private `ssh-agent` for one test, on a socket in its own temp dir, stopped by PID.
public final class SSHAgentProcess: @unchecked Sendable {
    public let socketPath: String
    private let directory: URL
    private let process: ChildProcess

    public init() throws {
        directory = try FixtureProgram.makeTemporaryDirectory(prefix: "pmcontrol-agent")
        socketPath = directory.appendingPathComponent("agent.sock").path
        // -D: stay in the foreground, so the PID we hold is the agent's own.
        process = try ChildProcess("/usr/bin/ssh-agent", ["-D", "-a", socketPath])
        let deadline = Date().addingTimeInterval(5)
        while !FileManager.default.fileExists(atPath: socketPath) {
            guard Date() < deadline, process.isRunning else {
                stop()
                throw FixtureProgram.Failure(command: ["/usr/bin/ssh-agent", "-D", "-a", socketPath], status: -1, stderr: "no socket")
            }
            usleep(10_000)
        }
    }

    deinit { stop() }

    /// Loads a private key into the agent (`ssh-add`).
    public func add(_ key: SSHKeyPair) throws {
        try FixtureProgram.run("/usr/bin/ssh-add", ["-q", key.privateKeyPath], environment: ["SSH_AUTH_SOCK": socketPath])
    }

    public func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
