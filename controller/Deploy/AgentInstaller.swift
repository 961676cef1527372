/// `pmctl agent install HOSTS`: the install fanned out like any other action (same events,
/// renderers and outcomes), one `AgentInstallWorker` per host.
public struct AgentInstaller: Sendable {
    /// The journal's plan for an install run: `pmctl retry` reads it and refuses to replay
    /// it (the binary and keys are the controller's local files; run the install again).
    public static let journalForm = "install"

    public var settings: InstallSettings
    public var fanout: Int

    public init(settings: InstallSettings, fanout: Int = 64) {
        self.settings = settings
        self.fanout = fanout
    }

    public func run(hosts: [ResolvedHost], runID: String = RunID.make(), commandLine: String = "",
                    handlers: [any EventHandler], interruption: Interruption = Interruption()) async -> RunReport {
        let hub = EventHub(handlers)
        let task = FanOutTask(fanout: fanout, hub: hub, interruption: interruption)
        let info = RunInfo(runID: runID, action: AgentInstallWorker.action, command: commandLine, hosts: hosts.map(\.name))
        let settings = self.settings
        let workerSettings = WorkerSettings(connectTimeout: settings.connectTimeout, actionTimeout: settings.checkTimeout)
        let connector = SSHAgentConnector(defaultKnownHosts: settings.defaultKnownHosts)
        return await task.run(info, hosts: hosts) { host in
            let context = HostContext(host: host, connector: connector, settings: workerSettings, interruption: interruption,
                                      hub: hub, resolver: TargetResolver(inventory: .empty))
            return AgentInstallWorker(context: context, settings: settings).run()
        }
    }
}
