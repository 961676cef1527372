import Foundation
import PMController
import PMProtocol
import TestSupport
import Testing

/// SEMANTICS.md's seed lines S1-S10, with pmctl in place of ctys: each parses into the plan
/// the page describes, down to the request line each agent gets.
@Suite struct SeedLineTests {
    struct Parsed {
        var plan: ActionPlan
        var hosts: [String]
    }

    /// Splits a seed line the way pmctl's ctys form reads it: `-t TYPE -a ACTION HOSTS...`.
    static func parse(_ line: String) throws -> Parsed {
        var words = line.split(separator: " ").map(String.init).dropFirst()  // "pmctl"
        var type: String?
        var action: String?
        var hosts: [String] = []
        while let word = words.popFirst() {
            switch word {
            case "-t": type = words.popFirst()
            case "-a": action = words.popFirst()
            default: hosts.append(word)
            }
        }
        return Parsed(plan: try CtysActionParser.parse(type: type, action: try #require(action)), hosts: hosts)
    }

    static func cancelArguments(_ plan: ActionPlan) throws -> CancelArguments {
        guard case .cancel(let arguments) = plan else {
            Issue.record("expected a cancel plan, got \(plan)")
            throw PlanError("not a cancel plan")
        }
        return arguments
    }

    /// The one request lab01's agent gets when lab01 has no agent-running guests.
    static func hostLine(_ arguments: CancelArguments) -> String {
        let stages = StackPlanner.stages(for: "lab01", arguments: arguments, inventory: .empty)
        #expect(stages.count == 1)
        return stages.last?.requestLine() ?? ""
    }

    static let example = Repository.root.appendingPathComponent("controller/examples/inventory.yaml").path

    @Test func s1WakesHostXThroughLab01ByDirectedBroadcast() throws {
        let parsed = try Self.parse("pmctl -t pm -a create=wol,t:hostX,broadcast:hostXDirectedCast lab01")
        #expect(parsed.hosts == ["lab01"])  // the relay
        guard case .wake(let plan) = parsed.plan else { Issue.record("not a wake plan: \(parsed.plan)"); return }
        #expect(plan.target == "hostX")
        #expect(plan.broadcast == "hostXDirectedCast")
        #expect(plan.ports == [9])
        #expect(plan.wait)
        // The relay's request, with hostX's MAC and the broadcast name resolved by the inventory.
        let inventory = try InventoryLoader.load(path: Self.example)
        let mac = try #require(inventory[host: "hostX"]?.macs.first)
        let broadcast = inventory[host: "hostXDirectedCast"]?.address
        let request = try plan.arguments(mac: mac, broadcastAddress: broadcast, interface: nil)
        let line = String(decoding: LineCodec.encode(.request(id: "r1", verb: "wake", request.fields)).dropLast(), as: UTF8.self)
        #expect(line == "REQ r1 wake mac=02:77:00:00:01:50 broadcast=10.77.1.255 ports=9")
    }

    @Test func s2OpensACLIConsole() throws {
        let parsed = try Self.parse("pmctl -t pm -a create=CONSOLE:cli lab01")
        #expect(parsed.plan == .console(ConsolePlan(kind: .cli)))
        #expect(parsed.hosts == ["lab01"])
    }

    @Test func s3ShutsDownTheGuestsAndLeavesLab01Up() throws {
        let parsed = try Self.parse("pmctl -t pm -a cancel=1:tst100,POWEROFF:0 lab01")
        let arguments = try Self.cancelArguments(parsed.plan)
        #expect(parsed.hosts == ["lab01"])
        #expect(arguments.method == .poweroff)
        #expect(arguments.delay == 0)
        #expect(!arguments.includeSelf && !arguments.force && !arguments.wol && !arguments.hostActs)
        #expect(arguments.type == .pm)
        #expect(arguments.label == "tst100")
        #expect(arguments.vm == nil)  // the label never selects
        #expect(arguments.guestAction == .shutdown)
        #expect(Self.hostLine(arguments) == "REQ r1 cancel method=poweroff delay=0 self=no force=no wol=no timeout=20 type=pm label=tst100")
    }

    @Test func s3WithAgentGuestsCancelsThemDeepestFirstThenTheHost() throws {
        let arguments = try Self.cancelArguments(try Self.parse("pmctl -t pm -a cancel=1:tst100,POWEROFF:0 lab01").plan)
        let inventory = try InventoryLoader.load(path: Self.example)
        let stages = StackPlanner.stages(for: "lab01", arguments: arguments, inventory: inventory)
        #expect(stages.map(\.agent) == ["tst200", "tst100", "tst101", "lab01"])
        #expect(stages.map(\.role) == [.guest(parent: "tst100"), .guest(parent: "lab01"), .guest(parent: "lab01"), .executionHost])
        #expect(stages[0].requestLine() == "REQ r1 cancel method=poweroff delay=0 self=yes force=no wol=no timeout=20 type=pm label=tst100")
        #expect(stages[1].requestLine() == "REQ r1 cancel method=poweroff delay=0 self=yes force=no wol=no timeout=20 type=libvirt label=tst100 handled=tst200")
        #expect(stages[3].requestLine() == "REQ r1 cancel method=poweroff delay=0 self=no force=no wol=no timeout=20 type=pm label=tst100 handled=tst100,tst101")
        #expect(stages[3].confirmation == nil)
    }

    @Test func s4PowersLab01OffAtOnceAbandoningItsGuests() throws {
        let arguments = try Self.cancelArguments(try Self.parse("pmctl -t xen -a cancel=1:tst100,force,POWEROFF:0 lab01").plan)
        #expect(arguments.type == .xen)
        #expect(arguments.force && arguments.hostActs)
        #expect(arguments.method == .poweroff && arguments.delay == 0)
        #expect(arguments.guestAction == .abandon)
        #expect(Self.hostLine(arguments) == "REQ r1 cancel method=poweroff delay=0 self=no force=yes wol=no timeout=20 type=xen label=tst100")
        // FORCE: no stack propagation, even where the inventory knows agent guests.
        let stages = StackPlanner.stages(for: "lab01", arguments: arguments, inventory: try InventoryLoader.load(path: Self.example))
        #expect(stages.map(\.agent) == ["lab01"])
        #expect(stages[0].confirmation == .down)
    }

    @Test func s5ShutsDownTheGuestsAndArmsWoLLeavingLab01Up() throws {
        let arguments = try Self.cancelArguments(try Self.parse("pmctl -t xen -a cancel=1:tst100,POWEROFF,wol lab01").plan)
        #expect(arguments.wol && !arguments.hostActs)
        #expect(arguments.delay == 30)
        #expect(arguments.guestAction == .shutdown)
        #expect(Self.hostLine(arguments) == "REQ r1 cancel method=poweroff delay=30 self=no force=no wol=yes timeout=20 type=xen label=tst100")
    }

    @Test func s6AlsoStoresTheBroadcastAddress() throws {
        let arguments = try Self.cancelArguments(try Self.parse("pmctl -t xen -a cancel=1:tst100,POWEROFF,wol,broadcast:192.168.3.255 lab01").plan)
        #expect(arguments.wol && arguments.broadcast == "192.168.3.255")
        #expect(Self.hostLine(arguments) == "REQ r1 cancel method=poweroff delay=30 self=no force=no wol=yes broadcast=192.168.3.255 timeout=20 type=xen label=tst100")
    }

    @Test func s7RebootsTheGuestsAndLeavesLab01Up() throws {
        let arguments = try Self.cancelArguments(try Self.parse("pmctl -t pm -a cancel=1:tst001,REBOOT lab01").plan)
        #expect(arguments.method == .reboot && !arguments.hostActs)
        #expect(arguments.guestAction == .reboot)
        #expect(arguments.label == "tst001")
        #expect(Self.hostLine(arguments) == "REQ r1 cancel method=reboot delay=30 self=no force=no wol=no timeout=20 type=pm label=tst001")
        let stages = StackPlanner.stages(for: "lab01", arguments: arguments, inventory: try InventoryLoader.load(path: Self.example))
        #expect(stages.first?.requestLine().hasPrefix("REQ r1 cancel method=reboot delay=0 self=yes") == true)
    }

    @Test func s8ShutsDownTheGuestsThenRebootsLab01() throws {
        let arguments = try Self.cancelArguments(try Self.parse("pmctl -t pm -a cancel=1:tst001,REBOOT,SELF lab01").plan)
        #expect(arguments.method == .reboot && arguments.includeSelf && arguments.hostActs)
        #expect(arguments.guestAction == .shutdown)
        #expect(Self.hostLine(arguments) == "REQ r1 cancel method=reboot delay=30 self=yes force=no wol=no timeout=20 type=pm label=tst001")
        #expect(StackPlanner.stages(for: "lab01", arguments: arguments, inventory: .empty).last?.confirmation == .newBoot)
    }

    @Test func s9RebootsLab01AtOnceAbandoningItsGuests() throws {
        let arguments = try Self.cancelArguments(try Self.parse("pmctl -t xen -a cancel=1:tst100,REBOOT,FORCE lab01").plan)
        #expect(arguments.method == .reboot && arguments.force && arguments.hostActs)
        #expect(arguments.guestAction == .abandon)
        #expect(Self.hostLine(arguments) == "REQ r1 cancel method=reboot delay=0 self=no force=yes wol=no timeout=20 type=xen label=tst100")
    }

    @Test func s10ShutsDownTheGuestsThenRunsInit0OnLab01() throws {
        let arguments = try Self.cancelArguments(try Self.parse("pmctl -t PM -a cancel=1:tst100,INIT:0 lab01").plan)
        #expect(arguments.method == .initLevel(0) && arguments.hostActs)
        #expect(arguments.type == .pm)
        #expect(arguments.guestAction == .shutdown)
        #expect(Self.hostLine(arguments) == "REQ r1 cancel method=init level=0 delay=30 self=no force=no wol=no timeout=20 type=pm label=tst100")
    }

    // MARK: - Bad action strings point at the bad part

    @Test func aMisspelledMethodNamesThePartAndItsPosition() {
        let error = #expect(throws: PlanError.self) { try CtysActionParser.parse(type: "pm", action: "cancel=1:tst100,POWEROF:0") }
        #expect(error?.message.hasPrefix("unknown cancel part 'POWEROF:0' (at 2nd part); expected one of LABEL:<text> (L:, 1:), ID:<guest> (I:), POWEROFF[:<delay>] (S5), REBOOT") == true)
    }

    @Test(arguments: [
        ("cancel=POWEROFF,REBOOT", "cancel part 'REBOOT' (at 2nd part) is a second method after 'POWEROFF'"),
        ("cancel=POWEROFF:soon", "part 'POWEROFF:soon' (at 1st part): expected a delay in seconds from 0 to 86400, got 'soon'"),
        ("cancel=INIT:9", "part 'INIT:9' (at 1st part): expected a run level from 0 to 6, got '9'"),
        ("cancel=REBOOT,WOL", "WOL arming the NIC makes no sense with reboot"),
        ("cancel=i:tst100,SELF", "I:<guest> selects one guest, so the host cannot act too"),
        ("cancel=IF:eth0", "IF: needs WOL"),
        ("cancel=STACK,FORCE", "cancel part 'STACK' contradicts FORCE"),
        ("cancel=t:lab02", "cancel part 't:lab02' (at 1st part) selects nothing in cancel"),
        ("cancel=SELF:yes", "cancel part 'SELF:yes' (at 1st part) takes no value"),
        ("destroy=all", "unknown action 'destroy'"),
        ("create=wol,PORT:99999", "part 'PORT:99999' (at 2nd part): expected a UDP port from 1 to 65535"),
        ("create=wol,m:02:77:00:00:05", "part 'm:02:77:00:00:05' (at 2nd part): '02:77:00:00:05' is not a MAC address"),
        ("create=CONSOLE:telnet", "create part 'CONSOLE:telnet' (at 1st part): console kind must be CLI"),
        ("create=l:x", "says nothing to do"),
        ("create=wol,foo", "unknown create part 'foo' (at 2nd part); expected one of WOL[:<delay>]"),
    ])
    func badActionStringsSayWhatIsWrongWhere(_ action: String, _ expected: String) {
        let error = #expect(throws: PlanError.self) { try CtysActionParser.parse(type: nil, action: action) }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error")")
    }

    @Test func anUnknownTypeIsRefused() {
        let error = #expect(throws: PlanError.self) { try CtysActionParser.parse(type: "vmware", action: "cancel=") }
        #expect(error?.message.contains("unknown -t 'vmware'") == true)
    }

    @Test func keysAreCaseInsensitiveAndAliasesWork() throws {
        let arguments = try Self.cancelArguments(try CtysActionParser.parse(type: "KVM", action: "CANCEL=L:run7,s5:10,Timeout:5,Wol,If:eth1"))
        #expect(arguments.type == .libvirt)
        #expect(arguments.label == "run7" && arguments.method == .poweroff && arguments.delay == 10)
        #expect(arguments.guestTimeout == 5 && arguments.wol && arguments.interface == "eth1")
        let pause = try Self.cancelArguments(try CtysActionParser.parse(type: nil, action: "cancel=S3"))
        #expect(pause.method == .pause)
        let one = try Self.cancelArguments(try CtysActionParser.parse(type: nil, action: "cancel=I:tst100"))
        #expect(one.vm == "tst100" && one.guestAction == .shutdown)
    }

    @Test func oneSelectedAgentGuestGoesThroughItsOwnAgentOnly() throws {
        let inventory = try InventoryLoader.load(path: Self.example)
        let one = try Self.cancelArguments(try CtysActionParser.parse(type: nil, action: "cancel=I:tst100,POWEROFF:0"))
        let stages = StackPlanner.stages(for: "lab01", arguments: one, inventory: inventory)
        #expect(stages.map(\.agent) == ["tst200", "tst100"])
        #expect(stages.allSatisfy { $0.role != .executionHost })
    }
}
