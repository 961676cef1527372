import Foundation

/// Wires a plan to the fan-out: resolves nothing and parses nothing, it runs a plan that
/// is already checked on hosts that are already resolved. The executable and the tests
/// both drive runs through it.
public struct Runner: Sendable {
    public var plan: ActionPlan
    public var inventory: Inventory
    public var resolver: TargetResolver
    public var connector: any AgentConnector
    public var settings: WorkerSettings
    public var fanout: Int

    public init(plan: ActionPlan, inventory: Inventory, resolver: TargetResolver, connector: any AgentConnector,
                settings: WorkerSettings, fanout: Int = 64) {
        self.plan = plan
        self.inventory = inventory
        self.resolver = resolver
        self.connector = connector
        self.settings = settings
        self.fanout = fanout
    }

    public func run(hosts: [ResolvedHost], runID: String = RunID.make(), command: String = "",
                    handlers: [any EventHandler], interruption: Interruption = Interruption()) async -> RunReport {
        let hub = EventHub(handlers)
        let task = FanOutTask(fanout: fanout, hub: hub, interruption: interruption)
        let info = RunInfo(runID: runID, action: plan.name, command: command, hosts: hosts.map(\.name))
        let (plan, inventory, resolver, connector, settings) = (self.plan, self.inventory, self.resolver, self.connector, self.settings)
        return await task.run(info, hosts: hosts) { host in
            let context = HostContext(host: host, connector: connector, settings: settings, interruption: interruption,
                                      hub: hub, resolver: resolver)
            return HostWorker(context: context, plan: plan, inventory: inventory).run()
        }
    }
}
