import Foundation
import PMProtocol

/// Everything one host's worker needs, on its own thread: where to connect, the budgets,
/// the stop flag, and where its events go. It also gathers the steps for the result.
final class HostContext {
    let host: ResolvedHost
    let connector: any AgentConnector
    let settings: WorkerSettings
    let interruption: Interruption
    let hub: EventHub
    let resolver: TargetResolver
    let started = Deadline.now
    private(set) var steps: [Step] = []

    init(host: ResolvedHost, connector: any AgentConnector, settings: WorkerSettings, interruption: Interruption,
         hub: EventHub, resolver: TargetResolver) {
        self.host = host
        self.connector = connector
        self.settings = settings
        self.interruption = interruption
        self.hub = hub
        self.resolver = resolver
    }

    var elapsedMilliseconds: Int {
        let elapsed = ContinuousClock.now - started.instant
        return elapsed.wholeMilliseconds
    }

    /// Records a step for the result and tells the handlers.
    func record(_ step: Step) {
        steps.append(step)
        hub.emit(.step(host: host.name, step))
    }

    /// Connects to `agent` (the host itself or a guest) within the connect timeout and
    /// reads its greeting. The action deadline starts once connected and covers the
    /// greeting and the requests that follow (CONTRACT.md, `--timeout`).
    func open(_ agent: ResolvedHost) throws(HostFailure) -> (AgentClient, Deadline) {
        let connectDeadline = Deadline.after(seconds: settings.connectTimeout)
        if interruption.isSet { throw HostFailure(.unfinished, "interrupted") }
        let link: any AgentLink
        do {
            link = try connector.connect(to: agent, deadline: connectDeadline, interruption: interruption)
        } catch {
            throw HostFailure(Outcome(error.kind), agent.name == host.name ? error.message : "\(agent.name): \(error.message)",
                              connect: error.kind)
        }
        hub.emit(.connected(host: host.name, agent: agent.name))
        let actionDeadline = Deadline.after(seconds: settings.actionTimeout)
        do {
            let client = try AgentClient.greet(over: link, deadline: actionDeadline, interruption: interruption)
            hub.emit(.greeted(host: host.name, agent: agent.name, hello: client.hello))
            return (client, actionDeadline)
        } catch {
            link.close()
            throw HostFailure(error.outcome, error.description)
        }
    }

    func result(action: String, _ outcome: Outcome, message: String = "", facts: Fields = Fields(), records: [Fields] = []) -> HostResult {
        HostResult(host: host.name, action: action, outcome: outcome, elapsedMilliseconds: elapsedMilliseconds,
                   steps: steps, message: message, facts: facts, records: records)
    }
}

/// A worker's early end: the outcome it gives the host, and why.
struct HostFailure: Error {
    var outcome: Outcome
    var message: String
    /// Why no connection came about, when that is how it ended.
    var connect: ConnectFailure.Kind?

    init(_ outcome: Outcome, _ message: String, connect: ConnectFailure.Kind? = nil) {
        self.outcome = outcome
        self.message = message
        self.connect = connect
    }
}
