import PMProtocol

/// Receives a run's events: the human renderer, the JSON stream and the journal are three
/// of these over one event stream (ClusterShell's EventHandler). Calls come one at a time
/// (the `EventHub` serializes them), from worker threads; keep them quick.
public protocol EventHandler: AnyObject {
    func runStarted(_ info: RunInfo)
    func handle(_ event: HostEvent)
    func runFinished(_ report: RunReport)
}

extension EventHandler {
    public func runStarted(_ info: RunInfo) {}
    public func handle(_ event: HostEvent) {}
    public func runFinished(_ report: RunReport) {}
}
