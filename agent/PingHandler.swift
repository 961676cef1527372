import PMProtocol

/// PING: liveness and identity. The boot id lets the controller confirm a reboot.
struct PingHandler: RequestHandler {
    var context: AgentContext

    func handle(id: String, reply: ReplyWriter) throws(AgentError) -> Completion {
        let facts = context.facts
        return Completion(["host": facts.hostName, "boot": facts.bootID, "uptime": facts.uptime])
    }
}
