import Foundation
import SSH
import Testing
@testable import PMController

/// How each SSH failure reads as a host's outcome (CONTRACT.md, "Results"): `unreachable`
/// only when no TCP connection came about.
@Suite struct ConnectFailureMappingTests {
    func outcome(_ error: SSHError) -> Outcome {
        Outcome(SSHAgentConnector.failure(error, host: ResolvedHost(name: "h", address: "127.0.0.1")).kind)
    }

    @Test func eachSSHFailureGetsTheOutcomeOfWhatHappened() {
        #expect(outcome(.unreachable(host: "h", detail: "refused")) == .unreachable)
        #expect(outcome(.timeout(.connect)) == .unreachable)
        #expect(outcome(.timeout(.handshake)) == .timeout)
        #expect(outcome(.authFailed(user: "root", tried: [])) == .auth)
        // Connected, but the SSH server gave no session: the message says why.
        #expect(outcome(.handshakeFailed("no common kex")) == .failed)
        #expect(outcome(.channelFailed("refused a session channel")) == .failed)
        // Ctrl-C while connecting: the host's result never came.
        #expect(outcome(.cancelled) == .unfinished)
    }
}
