import Foundation
@testable import SSH
import Testing
import TestSupport

/// A host with several addresses: one that does not answer must not use up the whole
/// connect deadline before the next address gets its turn.
@Suite("Trying each address of a host")
struct AddressFallbackTests {
    /// 127.0.0.1 on `port`, as the resolver would list it.
    func address(_ port: Int) throws -> TCPConnection.ResolvedAddress {
        try #require(try TCPConnection.lookUp(host: "127.0.0.1", port: port, numeric: true).get().first)
    }

    @Test func anAddressThatDoesNotAnswerGivesWayToTheNextBeforeTheDeadline() throws {
        let blackHole = try SilentListener(full: true)
        let listening = try SilentListener()
        let addresses = [try address(blackHole.port), try address(listening.port)]
        var connection: TCPConnection?
        let outcome = timed {
            connection = try TCPConnection.connect(host: "two-addresses", addresses: addresses, deadline: .after(seconds: 2),
                                                   cancel: .none)
        }
        #expect(outcome.error == nil)
        #expect(connection?.address == "127.0.0.1")
        // The first address had its half of the budget, then the second connected at once.
        #expect(outcome.seconds >= 0.9)
        #expect(outcome.seconds < 2)
    }

    @Test func aRefusedAddressGivesWayAtOnceAndEveryProblemIsNamed() throws {
        let refused = try ClosedPort()
        let blackHole = try SilentListener(full: true)
        let outcome = timed {
            _ = try TCPConnection.connect(host: "two-addresses", addresses: [try address(refused.port), try address(blackHole.port)],
                                          deadline: .after(seconds: 1), cancel: .none)
        }
        // One address refused: something at that host is up, so the whole is refused.
        guard case .connectionRefused(let host, let detail) = outcome.error else {
            Issue.record("expected connection refused, got \(String(describing: outcome.error))")
            return
        }
        #expect(host == "two-addresses")
        #expect(detail.contains("refused"), "\(detail)")
        #expect(detail.contains("no answer in time"), "\(detail)")
        #expect(outcome.seconds >= 0.9)   // the second address had all the time left
    }

    @Test func whenNoAddressAnswersTheConnectPhaseTimesOutAtTheDeadline() throws {
        let first = try SilentListener(full: true)
        let second = try SilentListener(full: true)
        let outcome = timed {
            _ = try TCPConnection.connect(host: "two-addresses", addresses: [try address(first.port), try address(second.port)],
                                          deadline: .after(seconds: 1), cancel: .none)
        }
        #expect(outcome.error == .timeout(.connect))
        #expect(outcome.seconds >= 1)
        #expect(outcome.seconds < 1.5)
    }

    @Test func aCancellationWatchingAnOutsideFlagStopsTheConnect() throws {
        let blackHole = try SilentListener(full: true)
        let flag = Cancellation()
        let watching = Cancellation(watching: { flag.isCancelled })
        let target = try SSHTarget(host: "127.0.0.1", port: blackHole.port, user: "root", knownHosts: "/dev/null", agentSocket: nil)
        cancel(flag, after: 0.3)
        let outcome = timed { _ = try SSHSession.connect(to: target, deadline: .after(seconds: 30), cancel: watching) }
        #expect(outcome.error == .cancelled)
        // Soon after the flag, long before the deadline.
        #expect(outcome.seconds < 3)
    }

    /// What a failed connect's errno says: only the network's "not there" is unreachable;
    /// a refusal means the host is up; a local shortage (no port, no buffers, too many open
    /// files) says nothing about the host at all.
    @Test func aConnectErrorNamesWhoseProblemItIs() throws {
        let somewhere = try address(22)
        guard case .connectionRefused = TCPConnection.failure(ECONNREFUSED, somewhere) else { Issue.record("ECONNREFUSED"); return }
        for code in [ENETUNREACH, EHOSTUNREACH] {
            guard case .unreachable = TCPConnection.failure(code, somewhere) else { Issue.record("errno \(code)"); return }
        }
        for code in [EADDRNOTAVAIL, ENOBUFS, EMFILE, EPERM] {
            guard case .localFailure = TCPConnection.failure(code, somewhere) else { Issue.record("errno \(code)"); return }
        }
    }
}
