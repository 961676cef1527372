import PMProtocol

/// CHECK (ctys-plugins): every tool of SEMANTICS.md, its path, and whether the agent may
/// run it. A non-root agent asks `sudo -n -l`, which never prompts.
struct CheckHandler: RequestHandler {
    var context: AgentContext

    func handle(id: String, reply: ReplyWriter) throws(AgentError) -> Completion {
        for entry in ToolCheck.run(configuration: context.configuration, log: context.log) {
            var record: Fields = ["record": "tool", "name": entry.name]
            record.set("path", entry.path ?? "-")
            record.set("allowed", entry.allowed)
            reply.send(.data(id: id, record))
        }
        return Completion(["host": context.facts.hostName, "root": context.runner.isRoot ? "yes" : "no"])
    }
}
