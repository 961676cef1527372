import PMProtocol

/// `--dry-run`: what each execution host would get, in order, with the exact request
/// lines (LineCodec's own encoding), and nothing touched.
public struct PlanPrinter: Sendable {
    public var plan: ActionPlan
    public var inventory: Inventory
    /// What `pmctl learn` (and `cancel ...,WOL,BROADCAST:`) stored: MACs and wake addresses.
    public var learned: LearnedFacts?
    /// `cancel --ipmi-fallback`: show what the BMC would be told if the agent is unreachable.
    public var ipmiFallback: Bool

    public init(plan: ActionPlan, inventory: Inventory, learned: LearnedFacts? = nil, ipmiFallback: Bool = false) {
        self.plan = plan
        self.inventory = inventory
        self.learned = learned
        self.ipmiFallback = ipmiFallback
    }

    /// One entry per request: which agent gets it, why, and the line.
    public struct Entry: Equatable, Sendable {
        public var agent: String
        public var role: String
        public var line: String
        /// What the controller checks afterwards (`down`, `new boot id`).
        public var then: String?
    }

    public func entries(for host: ResolvedHost) throws(PlanError) -> [Entry] {
        func line(_ verb: Verb, _ fields: Fields = Fields()) -> String {
            String(decoding: LineCodec.encode(.request(id: "r1", verb: verb.rawValue, fields)).dropLast(), as: UTF8.self)
        }
        switch plan {
        case .status: return [Entry(agent: host.name, role: "execution host", line: line(.ping))]
        case .check: return [Entry(agent: host.name, role: "execution host", line: line(.check))]
        case .info: return [Entry(agent: host.name, role: "execution host", line: line(.info))]
        case .cancel(let arguments):
            var fallback: [Entry] = []
            if ipmiFallback, arguments.hostActs, let bmc = inventory[host: host.name]?.ipmi {
                let action = BMCFallback.action(for: arguments)
                let then: String? = action.map { action -> String in
                    action.commands.enumerated().map { index, step -> String in
                        let command: String = index == 0 ? "" : "chassis power \(step.command.rawValue), "
                        return step.expected.isEmpty ? "\(command)nothing to confirm it by (failed, unconfirmed)"
                            : "\(command)poll the BMC until it reports \(step.expected.map(\.rawValue).joined(separator: ", then "))"
                    }.joined(separator: "; then ")
                }
                fallback = [bmcEntry(bmc, role: "BMC, only if \(host.name)'s agent gives no TCP answer", command: action?.commands.first?.command,
                                     then: then)]
            }
            return StackPlanner.stages(for: host.name, arguments: arguments, inventory: inventory).map { stage in
                let role: String
                switch stage.role {
                case .guest(let parent): role = "guest of \(parent), through its own agent"
                case .executionHost: role = "execution host"
                }
                let then = stage.confirmation.map { $0 == .down ? "confirm \(stage.agent) stops answering" : "confirm \(stage.agent) answers with a new boot id" }
                return Entry(agent: stage.agent, role: role, line: stage.requestLine(), then: then)
            } + fallback
        case .wake(let wake):
            let targetName = wake.target ?? host.name
            let target = inventory.hosts[targetName]
            let facts = learned?.facts(of: targetName)
            guard let mac = wake.mac ?? target?.macs.first ?? facts?.macs.first else {
                throw PlanError("no MAC known for \(targetName): give M:<mac> (or --mac), or add 'mac' to its inventory entry")
            }
            let broadcastName = wake.broadcast ?? (wake.interface == nil ? target?.broadcast ?? facts?.broadcast : nil)
            let broadcast = broadcastName.map { inventory.hosts[$0]?.address ?? $0 }
            if let broadcast, !Patterns.isIPv4(broadcast) {
                throw PlanError("broadcast '\(broadcast)' is not an IPv4 address; DNS lookups happen when the wake runs (dry runs resolve only through the inventory)")
            }
            let arguments = try wake.arguments(mac: mac, broadcastAddress: broadcast, interface: target?.interface)
            let sender = wake.target == nil ? (target?.relay ?? "the controller") : host.name
            return [Entry(agent: sender, role: "sends the magic packet for \(targetName)", line: line(.wake, arguments.fields),
                          then: wake.wait ? "wait until \(targetName)'s agent answers" : nil)]
        case .console(let console):
            return [Entry(agent: host.name, role: "console", line: "(\(console.kind.rawValue) console; no agent request)")]
        case .ipmi(let command, _):
            guard let bmc = inventory[host: host.name]?.ipmi else {
                return [Entry(agent: host.name, role: "BMC", line: "(no ipmi entry in the inventory: refused)")]
            }
            return [bmcEntry(bmc, role: "BMC", command: command,
                             then: command.expectedStates.isEmpty ? nil
                                 : "poll the BMC until it reports \(command.expectedStates.map(\.rawValue).joined(separator: ", then "))")]
        }
    }

    /// A BMC command: run here by ipmitool, or the `ipmi` request its relay's agent gets
    /// (the password shown as where it comes from, never itself). No command: a cancel
    /// method that no BMC does.
    private func bmcEntry(_ bmc: IPMIEntry, role: String, command: PowerCommand?, then: String? = nil) -> Entry {
        let endpoint = BMCEndpoint(bmc)
        let agent = bmc.relay ?? "the controller"
        guard let command else { return Entry(agent: agent, role: role, line: "(nothing: this method is not done through a BMC)") }
        guard let relay = bmc.relay else {
            return Entry(agent: agent, role: role, line: "(ipmitool -I lanplus against \(endpoint): chassis power \(command.rawValue))", then: then)
        }
        var fields = IPMIArguments(command: command.rawValue, address: bmc.address, port: bmc.port, user: endpoint.user,
                                   cipher: bmc.cipher, password: "").fields
        fields.set("password", nil)
        let line = String(decoding: LineCodec.encode(.request(id: "r1", verb: Verb.ipmi.rawValue, fields)).dropLast(), as: UTF8.self)
        return Entry(agent: relay, role: "\(role), through \(relay)'s agent",
                     line: "\(line) password=(from \(bmc.passwordFile ?? "$PMCTL_IPMI_PASSWORD"))", then: then)
    }

    /// The plan for people.
    public func text(for hosts: [ResolvedHost]) throws(PlanError) -> String {
        var text = "dry run: \(plan.name) on \(hosts.count == 1 ? "1 host" : "\(hosts.count) hosts") (\(NodeSet.summary(hosts.map(\.name)))); nothing is touched\n"
        for host in hosts {
            text += "\(host.name) (\(host.user.map { $0 + "@" } ?? "")\(host.address):\(host.port)):\n"
            for (index, entry) in try entries(for: host).enumerated() {
                text += "  \(index + 1). \(entry.agent) [\(entry.role)]: \(entry.line)\n"
                if let then = entry.then { text += "     then \(then)\n" }
            }
        }
        return text
    }

    /// `--json --dry-run`: a `skipped` result line per host with its `plan`, then the summary.
    public func jsonLines(for hosts: [ResolvedHost], runID: String) throws(PlanError) -> String {
        var lines = ""
        var results: [HostResult] = []
        for host in hosts {
            let result = HostResult(host: host.name, action: plan.name, outcome: .skipped, message: "dry run")
            results.append(result)
            let planJSON = JSONText.array(try entries(for: host).map { entry in
                JSONText.object([("agent", JSONText.string(entry.agent)), ("request", JSONText.string(entry.line))])
            })
            var line = JSONRenderer.line(for: result)
            line.removeLast()
            lines += line + ",\"plan\":" + planJSON + "}\n"
        }
        let report = RunReport(info: RunInfo(runID: runID, action: plan.name, command: "", hosts: hosts.map(\.name)),
                               results: results, interrupted: false, elapsedMilliseconds: 0)
        return lines + JSONRenderer.summaryLine(for: report) + "\n"
    }
}
