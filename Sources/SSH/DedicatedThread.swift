import Foundation

/// Runs `body` on a new thread of its own and returns its result to async code.
///
/// libssh2 work must not run on Swift's cooperative pool (a handful of threads, one per
/// core: 100 blocking sessions would run a few at a time). A fan-out runs each host's whole
/// job (connect, exec, read, close) in one call to this, so every session lives and dies
/// on its own thread. Cancelling the calling task sets the `Cancellation` handed to
/// `body`, which every SSH wait honours within 100 ms.
///
/// - Parameter cancel: a flag to share with other jobs (Ctrl-C for a whole fan-out);
///   a fresh one by default.
public func onDedicatedThread<T: Sendable>(
    cancel: Cancellation = Cancellation(),
    stackSize: Int = 512 * 1024,
    _ body: @Sendable @escaping (Cancellation) throws -> T
) async throws -> T {
    try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try body(cancel) })
            }
            thread.stackSize = stackSize
            thread.name = "pmctl-ssh"
            thread.start()
        }
    } onCancel: {
        cancel.cancel()
    }
}
