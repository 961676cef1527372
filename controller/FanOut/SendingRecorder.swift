/// A handler that must have recorded a `sending` before the request may go out: the
/// journal. If it could not (a full disk, a locked or read-only database), a later crash
/// would leave no trace that the host may have acted, and `retry` would send it again.
public protocol SendingRecorder: EventHandler {
    /// Why the last `sending` of `host` is not on record, or nil when it is.
    func unrecordedSending(of host: String) -> String?
}
