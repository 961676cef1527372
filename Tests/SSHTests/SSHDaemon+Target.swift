import Foundation
import SSH
import Testing
import TestSupport

extension SSHDaemon {
    /// A target for this server: its client key, its known_hosts, no ssh-agent.
    func target(
        identity: String? = nil, knownHosts: String? = nil, agentSocket: String? = nil, connectTimeout: Duration = .seconds(10)
    ) throws(SSHError) -> SSHTarget {
        try SSHTarget(
            host: host, port: port, user: user, identity: identity ?? clientKey.privateKeyPath,
            knownHosts: knownHosts ?? knownHostsPath, agentSocket: agentSocket, connectTimeout: connectTimeout)
    }
}

/// Runs `body` and returns what it threw (nil if nothing) and how long it took, in seconds.
/// An error other than `SSHError` is recorded as a test issue.
func timed(_ body: () throws -> Void) -> (error: SSHError?, seconds: Double) {
    let clock = ContinuousClock()
    let start = clock.now
    var failure: SSHError?
    do {
        try body()
    } catch let error as SSHError {
        failure = error
    } catch {
        Issue.record("unexpected error \(error)")
    }
    let duration = clock.now - start
    let (seconds, attoseconds) = duration.components
    return (failure, Double(seconds) + Double(attoseconds) / 1e18)
}

/// Runs a command to completion on a fresh session and returns its output and exit.
func run(_ command: String, on target: SSHTarget, input: [UInt8] = [], seconds: Double = 10) throws(SSHError)
    -> (stdout: [UInt8], stderr: [UInt8], exit: SSHChannel.Exit)
{
    let deadline = Deadline.after(seconds: seconds)
    let session = try SSHSession.connect(to: target, deadline: deadline)
    let channel = try session.exec(command, deadline: deadline)
    if !input.isEmpty { try channel.write(input, deadline: deadline) }
    try channel.sendEOF(deadline: deadline)
    let output = try channel.readToEnd(deadline: deadline)
    let exit = try channel.close(deadline: deadline)
    try session.disconnect(deadline: deadline)
    return (output.stdout, output.stderr, exit)
}

/// Cancels `flag` from another thread after `seconds`.
func cancel(_ flag: Cancellation, after seconds: Double) {
    let canceller = Thread {
        Thread.sleep(forTimeInterval: seconds)
        flag.cancel()
    }
    canceller.start()
}
