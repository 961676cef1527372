import Foundation
import Synchronization

/// The run's stop flag: set by SIGINT (or a test), read by the scheduler before it starts a
/// host and by each worker between its blocking waits.
public final class Interruption: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isSet: Bool { flag.load(ordering: .acquiring) }

    public func set() { flag.store(true, ordering: .releasing) }

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
