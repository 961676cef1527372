import Foundation
import PMController
import PMProtocol
import Testing

/// Collects events for assertions; also tracks how many hosts were in flight at once.
final class Recorder: EventHandler, @unchecked Sendable {
    private(set) var events: [HostEvent] = []
    private(set) var maximumInFlight = 0
    private var inFlight = 0
    var onEvent: ((HostEvent) -> Void)?

    func handle(_ event: HostEvent) {
        events.append(event)
        switch event {
        case .started: inFlight += 1; maximumInFlight = max(maximumInFlight, inFlight)
        case .finished: inFlight -= 1
        default: break
        }
        onEvent?(event)
    }
}

@Suite(.serialized) struct FanOutTests {
    func run(_ plan: ActionPlan, hosts names: [String], lab: AgentLab, inventory: Inventory = .empty,
             settings: WorkerSettings, fanout: Int = 64, handlers: [any EventHandler] = [],
             interruption: Interruption = Interruption()) async -> RunReport {
        let resolver = TargetResolver(inventory: inventory)
        let runner = Runner(plan: plan, inventory: inventory, resolver: resolver, connector: lab.connector,
                            settings: settings, fanout: fanout)
        return await runner.run(hosts: names.map(resolver.host), runID: "test-run", handlers: handlers, interruption: interruption)
    }

    @Test func hangingHostsCostTheirOwnDeadlineNotTheSumOfThem() async throws {
        let lab = try AgentLab()
        let names = (1...55).map { String(format: "h%02d", $0) }
        let hanging = ["h03", "h17", "h29", "h41", "h55"]
        try lab.setMode("hang", for: hanging)
        let recorder = Recorder()
        let started = ContinuousClock.now
        let report = await run(.status, hosts: names, lab: lab, settings: WorkerSettings(connectTimeout: 5, actionTimeout: 3),
                               handlers: [recorder])
        let elapsed = ContinuousClock.now - started
        #expect(report.results.count == 55)
        #expect(report.results.filter { $0.outcome == .ok }.count == 50)
        #expect(report.results.filter { $0.outcome == .timeout }.map(\.host) == hanging)
        // Side by side, not one after another: every hanging host started before the first
        // of them timed out (that holds however loaded the machine is) ...
        let order = recorder.events.compactMap { event -> String? in
            switch event {
            case .started(let host) where hanging.contains(host): "start \(host)"
            case .finished(let result) where hanging.contains(result.host): "end \(result.host)"
            default: nil
            }
        }
        #expect(order.prefix(5).allSatisfy { $0.hasPrefix("start") }, "\(order)")
        // ... and each hanging host got its whole deadline. How long the run takes on a
        // loaded machine is the lab fan-out test's and the benchmarks' business.
        #expect(elapsed >= .seconds(3))
        #expect(report.exitCode == 1)
        let h01 = try #require(report.results.first)
        #expect(h01.facts.text("boot") == "boot-1")
        #expect(h01.message.contains("boot boot-1"))
    }

    @Test func noMoreThanFanoutHostsAreInFlight() async throws {
        let lab = try AgentLab()
        let names = (1...8).map { "s\($0)" }
        try lab.setMode("slow", for: names)
        let recorder = Recorder()
        let started = ContinuousClock.now
        let report = await run(.status, hosts: names, lab: lab, settings: WorkerSettings(connectTimeout: 5, actionTimeout: 5),
                               fanout: 4, handlers: [recorder])
        #expect(report.exitCode == 0)
        #expect(recorder.maximumInFlight == 4)
        // Eight one-second answers, four at a time: two rounds.
        #expect(ContinuousClock.now - started >= .seconds(2))
    }

    @Test func outcomesTellRefusalsVersionsAndUnreachableApart() async throws {
        let lab = try AgentLab()
        try lab.setMode("refuse", for: ["r1"])
        try lab.setMode("oldproto", for: ["o1"])
        let report = await run(.check, hosts: ["ok1", "r1", "o1"], lab: lab, settings: WorkerSettings(connectTimeout: 2, actionTimeout: 2))
        #expect(report.results.map(\.outcome) == [.ok, .refused, .failed])
        #expect(report.results[0].records.first?.text("tool") == "poweroff")
        #expect(report.results[1].message.contains("not-permitted: sudo -n said no"))
        #expect(report.results[2].message.contains("the agent speaks protocol 2.0, this pmctl speaks 1.1: upgrade pmctl"))

        let missing = ProcessAgentConnector(executable: "/nonexistent/pmagent")
        let resolver = TargetResolver(inventory: .empty)
        let runner = Runner(plan: .status, inventory: .empty, resolver: resolver, connector: missing,
                            settings: WorkerSettings(connectTimeout: 1, actionTimeout: 1))
        let unreachable = await runner.run(hosts: [resolver.host("gone")], handlers: [])
        #expect(unreachable.results.first?.outcome == .unreachable)
        #expect(unreachable.exitCode == 1)
    }

    @Test func poweroffWithSelfIsConfirmedDown() async throws {
        let lab = try AgentLab()
        var arguments = CancelArguments()
        arguments.includeSelf = true
        arguments.delay = 0
        let report = await run(.cancel(arguments), hosts: ["lab01"], lab: lab,
                               settings: WorkerSettings(connectTimeout: 2, actionTimeout: 5, confirmTimeout: 5, confirmInterval: 0.1))
        let result = try #require(report.results.first)
        #expect(result.outcome == .ok, "\(result.message)")
        #expect(result.steps.map { "\($0.step) \($0.name) \($0.result)" } == ["host lab01 poweroff-accepted", "confirm lab01 down"])
        #expect(lab.isDown("lab01"))
        #expect(lab.requests("lab01") == ["REQ r1 cancel method=poweroff delay=0 self=yes force=no wol=no timeout=20 type=pm"])
    }

    @Test func rebootWithSelfIsConfirmedByANewBootID() async throws {
        let lab = try AgentLab()
        var arguments = CancelArguments()
        arguments.method = .reboot
        arguments.includeSelf = true
        arguments.delay = 0
        let report = await run(.cancel(arguments), hosts: ["lab01"], lab: lab,
                               settings: WorkerSettings(connectTimeout: 2, actionTimeout: 5, confirmTimeout: 5, confirmInterval: 0.1))
        let result = try #require(report.results.first)
        #expect(result.outcome == .ok, "\(result.message)")
        #expect(result.steps.map(\.result) == ["reboot-accepted", "up-new-boot"])
        #expect(lab.requests("lab01").first == "REQ r1 ping")
    }

    @Test func aHostThatKeepsAnsweringAfterItsActionIsUnconfirmedAndFailed() async throws {
        let lab = try AgentLab()
        try lab.setMode("sticky", for: ["lab01", "lab02"])
        var poweroff = CancelArguments()
        poweroff.includeSelf = true
        poweroff.delay = 0
        var reboot = poweroff
        reboot.method = .reboot
        let settings = WorkerSettings(connectTimeout: 2, actionTimeout: 5, confirmTimeout: 0.5, confirmInterval: 0.1)
        for (arguments, host) in [(poweroff, "lab01"), (reboot, "lab02")] {
            let report = await run(.cancel(arguments), hosts: [host], lab: lab, settings: settings)
            let result = try #require(report.results.first)
            #expect(result.outcome == .failed)
            #expect(result.steps.last?.step == "confirm")
            #expect(result.steps.last?.result == "unconfirmed")
            #expect(result.message.contains(host))
        }
    }

    @Test func agentGuestsGoDownThroughTheirOwnAgentsDeepestFirst() async throws {
        let lab = try AgentLab()
        let inventory = try InventoryLoader(file: "inventory.yaml").parse("""
        hosts:
          lab01: {vms: [g1, plain1]}
          g1: {vms: [g2], hypervisor: libvirt}
          g2: {}
        """)
        var arguments = CancelArguments()
        arguments.delay = 0
        let report = await run(.cancel(arguments), hosts: ["lab01"], lab: lab, inventory: inventory,
                               settings: WorkerSettings(connectTimeout: 2, actionTimeout: 5, confirmTimeout: 5, confirmInterval: 0.1))
        let result = try #require(report.results.first)
        #expect(result.outcome == .ok, "\(result.message)")
        #expect(lab.journal() == [
            "g2: REQ r1 cancel method=poweroff delay=0 self=yes force=no wol=no timeout=20 type=pm",
            "g1: REQ r1 cancel method=poweroff delay=0 self=yes force=no wol=no timeout=20 type=libvirt handled=g2",
            "lab01: REQ r1 cancel method=poweroff delay=0 self=no force=no wol=no timeout=20 type=pm handled=g1",
        ])
        #expect(result.steps.map { "\($0.step) \($0.name) \($0.result)" } == ["vm g2 shutdown", "vm g1 shutdown", "vm plain1 shutdown"])
        #expect(!lab.isDown("lab01"))
    }

    @Test func aGuestWhoseAgentRefusesIsLeftToTheHypervisor() async throws {
        let lab = try AgentLab()
        try lab.setMode("refuse", for: ["g1"])
        let inventory = try InventoryLoader(file: "inventory.yaml").parse("hosts:\n  lab01: {vms: [g1]}\n  g1: {}\n")
        var arguments = CancelArguments()
        arguments.delay = 0
        let report = await run(.cancel(arguments), hosts: ["lab01"], lab: lab, inventory: inventory,
                               settings: WorkerSettings(connectTimeout: 2, actionTimeout: 5))
        let result = try #require(report.results.first)
        #expect(result.steps.first?.step == "vm")
        #expect(result.steps.first?.result == "failed")
        #expect(result.steps.first?.extra.text("detail")?.contains("not-permitted") == true)
        // Not in handled=, so lab01's hypervisor still takes g1 down.
        #expect(lab.requests("lab01") == ["REQ r1 cancel method=poweroff delay=0 self=no force=no wol=no timeout=20 type=pm"])
    }

    @Test func ctrlCStopsNewHostsAndEndsTheOnesInFlightUnfinished() async throws {
        let lab = try AgentLab()
        let names = (1...9).map { "i\($0)" }
        try lab.setMode("hang", for: names)
        let interruption = Interruption()
        let recorder = Recorder()
        recorder.onEvent = { event in
            if case .connected = event {
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { interruption.set() }
            }
        }
        let started = ContinuousClock.now
        let report = await run(.status, hosts: names, lab: lab, settings: WorkerSettings(connectTimeout: 30, actionTimeout: 30),
                               fanout: 3, handlers: [recorder], interruption: interruption)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(report.interrupted)
        #expect(report.exitCode == 130)
        #expect(report.results.count == 9)
        #expect(report.results.allSatisfy { $0.outcome == .unfinished })
        #expect(report.results.filter { $0.message == "not started: interrupted" }.count == 6)
    }

    @Test func exitCodesFollowTheContract() {
        let info = RunInfo(runID: "r", action: "status", command: "", hosts: ["a", "b"])
        let ok = HostResult(host: "a", action: "status", outcome: .ok)
        let skipped = HostResult(host: "b", action: "status", outcome: .skipped)
        let failed = HostResult(host: "b", action: "status", outcome: .timeout)
        #expect(RunReport(info: info, results: [ok, skipped], interrupted: false, elapsedMilliseconds: 0).exitCode == 0)
        #expect(RunReport(info: info, results: [ok, failed], interrupted: false, elapsedMilliseconds: 0).exitCode == 1)
        #expect(RunReport(info: info, results: [ok], interrupted: true, elapsedMilliseconds: 0).exitCode == 130)
    }
}
