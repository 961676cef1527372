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
    /// `--ipmi-fallback` for cancel: how to reach a BMC when a host's agent is unreachable.
    public var ipmiFallback: IPMIPowerControl?

    public init(plan: ActionPlan, inventory: Inventory, resolver: TargetResolver, connector: any AgentConnector,
                settings: WorkerSettings, fanout: Int = 64, ipmiFallback: IPMIPowerControl? = nil) {
        self.plan = plan
        self.inventory = inventory
        self.resolver = resolver
        self.connector = connector
        self.settings = settings
        self.fanout = fanout
        self.ipmiFallback = ipmiFallback
    }

    public func run(hosts: [ResolvedHost], runID: String = RunID.make(), command: String = "",
                    handlers: [any EventHandler], interruption: Interruption = Interruption(),
                    learned: LearnedFacts? = nil, stagger: Double = 0.05) async -> RunReport {
        let hub = EventHub(handlers)
        let task = FanOutTask(fanout: fanout, hub: hub, interruption: interruption)
        let (plan, inventory, resolver, connector, settings) = (self.plan, self.inventory, self.resolver, self.connector, self.settings)
        let ipmiFallback = self.ipmiFallback

        // A wake's unit of work is the machine woken. With T: the named hosts are relays,
        // each waking the target; else each named host is a target, sent for by its
        // inventory relay or by this host.
        var targets = hosts
        var relays: [String: ResolvedHost] = [:]
        if case .wake(let wake) = plan {
            if let target = wake.target {
                let woken = resolver.host(target)
                targets = hosts.isEmpty ? [] : [woken]
                relays[woken.name] = hosts.first
            } else {
                for host in hosts {
                    if let relay = inventory[host: host.name]?.relay { relays[host.name] = resolver.host(relay) }
                }
            }
        }
        let info = RunInfo(runID: runID, action: plan.name, command: command, hosts: targets.map(\.name))
        let pacer = SendPacer(interval: stagger)
        let relaysByTarget = relays
        return await task.run(info, hosts: targets) { host in
            let context = HostContext(host: host, connector: connector, settings: settings, interruption: interruption,
                                      hub: hub, resolver: resolver)
            if case .wake(let wake) = plan {
                return WakeWorker(context: context, plan: wake, inventory: inventory, relay: relaysByTarget[host.name],
                                  pacer: pacer, learned: learned).run()
            }
            return HostWorker(context: context, plan: plan, inventory: inventory, learned: learned, ipmiFallback: ipmiFallback).run()
        }
    }
}
