import PMProtocol

/// INFO (ctys-genmconf): a `DATA` record per interface and per guest, then the host's own
/// facts on the `OK` line.
struct InfoHandler: RequestHandler {
    var context: AgentContext

    func handle(id: String, reply: ReplyWriter) throws(AgentError) -> Completion {
        let runner = context.runner
        let hasEthtool = runner.locate(.ethtool) != nil
        for interface in NetworkInterface.all() {
            var record: Fields = ["record": "iface", "name": interface.name]
            record.set("mac", interface.mac)
            record.set("ipv4", interface.ipv4.joined(separator: ","))
            record.set("master", interface.master)
            // wol-supported and wol only where known (PROTOCOL.md 6.2).
            if hasEthtool, let result = try? runner.run(.ethtool, [interface.name], privileged: false, timeout: 10),
               result.exitCode == 0 {
                let settings = WakeOnLanSettings(ethtoolOutput: result.output)
                if !settings.supported.isEmpty { record.set("wol-supported", settings.supported) }
                if !settings.current.isEmpty { record.set("wol", settings.current) }
            }
            reply.send(.data(id: id, record))
        }

        var kinds: [String] = []
        let hypervisors = (try? StackSelection.hypervisors(for: .pm, configuration: context.configuration,
                                                           runner: runner, log: context.log)) ?? []
        for hypervisor in hypervisors {
            do {
                let guests = try hypervisor.guests()
                kinds.append(hypervisor.kind)
                for guest in guests {
                    reply.send(.data(id: id, ["record": "guest", "hypervisor": hypervisor.kind, "name": guest.name,
                                              "state": guest.state]))
                }
            } catch {
                context.log.warning("cannot list \(hypervisor.kind) guests: \(error.message)")
            }
        }

        let facts = context.facts
        var result: Fields = ["host": facts.hostName, "os": facts.operatingSystem]
        // Omitted where unreadable (PROTOCOL.md 6.2): DMI files are root-only on most hosts.
        result.set("uuid", facts.productUUID)
        result.set("serial", facts.productSerial)
        result.set("boot", facts.bootID)
        result.set("uptime", facts.uptime)
        result.set("hypervisors", kinds.joined(separator: ","))
        return Completion(result)
    }
}
