import Foundation
import SSH
import Synchronization

/// The run's stop flag: set by SIGINT (or a test), read by the scheduler before it starts a
/// host and by each worker between its blocking waits. Work that waits inside the SSH
/// module (a handshake, an exec channel) takes a `Cancellation` from `sshCancellation()`,
/// which `set()` cancels, so Ctrl-C ends those waits too.
public final class Interruption: Sendable {
    private let flag = Atomic<Bool>(false)
    private let cancellations = Mutex<[Cancellation]>([])

    public init() {}

    public var isSet: Bool { flag.load(ordering: .acquiring) }

    public func set() {
        flag.store(true, ordering: .releasing)
        for cancellation in cancellations.withLock({ $0 }) { cancellation.cancel() }
    }

    /// A cancellation for one SSH session: cancelled by `set()`, or already cancelled
    /// when the flag is set by now.
    public func sshCancellation() -> Cancellation {
        let cancellation = Cancellation()
        cancellations.withLock { $0.append(cancellation) }
        if isSet { cancellation.cancel() }
        return cancellation
    }

    /// Routes SIGINT to this flag for the rest of the process's life. The handler source
    /// is kept alive by the returned object; keep it as long as the run.
    public func watchSIGINT() -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [self] in set() }
        source.resume()
        return source
    }
}
