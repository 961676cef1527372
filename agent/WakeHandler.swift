import PMProtocol

/// WAKE: the agent relays a magic packet for the controller onto this host's segment.
struct WakeHandler: RequestHandler {
    var context: AgentContext

    func handle(id: String, fields: Fields, reply: ReplyWriter) throws(AgentError) -> Completion {
        let arguments: WakeArguments
        do { arguments = try WakeArguments(fields) } catch { throw .badArgument(error) }
        let packet = MagicPacket(target: arguments.mac, password: arguments.password)
        var result: Fields = ["mac": arguments.mac.description]
        do {
            switch arguments.route {
            case .interface(let name):
                try MagicPacketSender.sendFrame(packet, interface: name)
                result.set("if", name)
            case .broadcast(let address):
                try MagicPacketSender.sendDatagram(packet, to: address, ports: arguments.ports)
                result.set("broadcast", address)
                result.set("ports", arguments.ports.map(String.init).joined(separator: ","))
            }
        } catch {
            context.log.error("wake \(arguments.mac): \(error)")
            switch error {
            case .notPermitted: throw AgentError(.notPermitted, error.description)
            case .noSuchInterface: throw AgentError(.badArgument, "if: \(error.description)", ["key": "if"])
            case .badDestination: throw AgentError(.badArgument, "broadcast: \(error.description)", ["key": "broadcast"])
            case .system: throw AgentError(.internalError, error.description)
            }
        }
        context.log.info("sent a magic packet for \(arguments.mac)")
        return Completion(result)
    }
}
