import PMProtocol

/// WAKE: the agent relays a magic packet for the controller onto this host's segment.
/// One `STEP step=wake name=<mac> result=sent detail=<route>` per packet, then `OK`.
struct WakeHandler: RequestHandler {
    var context: AgentContext
    var arguments: WakeArguments

    func handle(id: String, reply: ReplyWriter) throws(AgentError) -> Completion {
        let packet = MagicPacket(target: arguments.mac, password: arguments.password)
        let mac = arguments.mac.description
        do {
            switch arguments.route {
            case .interface(let name):
                try MagicPacketSender.sendFrame(packet, interface: name)
                reply.send(Step("wake", name: mac, result: "sent", extra: ["detail": "frame on \(name)"]), id: id)
            case .broadcast(let address):
                for port in arguments.ports {
                    try MagicPacketSender.sendDatagram(packet, to: address, ports: [port])
                    reply.send(Step("wake", name: mac, result: "sent", extra: ["detail": "udp \(address):\(port)"]), id: id)
                }
            }
        } catch {
            context.log.error("wake \(mac): \(error)")
            switch error {
            case .notPermitted: throw AgentError(.notPermitted, error.description, ["tool": "pmagent"])
            case .noSuchInterface: throw AgentError(.badArgument, "if: \(error.description)", ["key": "if"])
            case .badDestination: throw AgentError(.badArgument, "broadcast: \(error.description)", ["key": "broadcast"])
            case .system: throw AgentError(.internalError, error.description)
            }
        }
        context.log.info("sent a magic packet for \(mac)")
        return Completion(["mac": mac])
    }
}
