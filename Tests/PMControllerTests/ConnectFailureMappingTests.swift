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

    func kind(_ error: SSHError) -> ConnectFailure.Kind {
        SSHAgentConnector.failure(error, host: ResolvedHost(name: "h", address: "127.0.0.1")).kind
    }

    @Test func eachSSHFailureGetsTheOutcomeOfWhatHappened() {
        #expect(outcome(.unreachable(host: "h", detail: "No route to host")) == .unreachable)
        #expect(outcome(.connectionRefused(host: "h", detail: "Connection refused")) == .unreachable)
        #expect(outcome(.timeout(.connect)) == .unreachable)
        // Nothing is known about the host: never `unreachable`.
        #expect(outcome(.nameResolution(host: "h", detail: "Name or service not known")) == .failed)
        #expect(outcome(.localFailure("socket: Too many open files")) == .failed)
        #expect(outcome(.invalidTarget("host is empty")) == .refused)
        #expect(outcome(.timeout(.handshake)) == .timeout)
        #expect(outcome(.authFailed(user: "root", tried: [])) == .auth)
        // Connected, but the SSH server gave no session: the message says why.
        #expect(outcome(.handshakeFailed("no common kex")) == .failed)
        #expect(outcome(.channelFailed("refused a session channel")) == .failed)
        // Ctrl-C while connecting: the host's result never came.
        #expect(outcome(.cancelled) == .unfinished)
    }

    /// Only "nothing answered" may mean the host is down (what --ipmi-fallback acts on); a
    /// refusal is a kind of its own, though its outcome is `unreachable` too.
    @Test func onlyNoAnswerIsTheUnreachableKind() {
        #expect(kind(.unreachable(host: "h", detail: "No route to host")) == .unreachable)
        #expect(kind(.timeout(.connect)) == .unreachable)
        #expect(kind(.connectionRefused(host: "h", detail: "Connection refused")) == .connectionRefused)
        #expect(kind(.nameResolution(host: "h", detail: "x")) == .failed)
        #expect(kind(.localFailure("x")) == .failed)
        #expect(kind(.invalidTarget("x")) == .invalid)
    }
}
