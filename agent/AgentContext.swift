import PMProtocol

/// What every request handler works with: the settings, the tool runner, the host's files
/// and the log. Built once per serve loop.
struct AgentContext {
    var configuration: AgentConfiguration
    var runner: ToolRunner
    var facts: HostFacts
    var log: AgentLog

    init(configuration: AgentConfiguration, log: AgentLog) {
        self.configuration = configuration
        self.log = log
        runner = ToolRunner(configuration: configuration, log: log)
        facts = HostFacts(files: SystemFiles(sysroot: configuration.sysroot))
    }
}

/// How a handler finished successfully: the `OK` line's fields, and for a CANCEL whose
/// host acts, the action to run once that line is out.
struct Completion {
    var fields: Fields
    var hostAction: HostAction?

    init(_ fields: Fields = Fields(), hostAction: HostAction? = nil) {
        self.fields = fields
        self.hostAction = hostAction
    }
}

/// One verb's work, for a request already typed and checked (`Request`): a handler sends
/// its `STEP`/`DATA` lines through `reply` and returns the `OK` fields, or throws the error
/// its `ERR` line carries; the session writes the final line, so every request gets exactly one.
protocol RequestHandler {
    func handle(id: String, reply: ReplyWriter) throws(AgentError) -> Completion
}
