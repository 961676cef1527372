/// What a run is, told to handlers before the first host starts.
public struct RunInfo: Equatable, Sendable {
    public var runID: String
    /// `cancel`, `status`, ...
    public var action: String
    /// The command line, for the journal.
    public var command: String
    /// Every execution host, in order.
    public var hosts: [String]

    public init(runID: String, action: String, command: String, hosts: [String]) {
        self.runID = runID
        self.action = action
        self.command = command
        self.hosts = hosts
    }
}
