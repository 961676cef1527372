import PMProtocol

/// PING: liveness and identity. The boot id lets the controller confirm a reboot.
struct PingHandler: RequestHandler {
    var context: AgentContext

    func handle(id: String, fields: Fields, reply: ReplyWriter) throws(AgentError) -> Completion {
        try refuseArguments(fields)
        let facts = context.facts
        return Completion(["host": facts.hostName, "boot": facts.bootID, "uptime": facts.uptime])
    }
}
