import Foundation
import PMController
import PMProtocol
import TestSupport
import Testing

@Suite struct InventoryTests {
    static let examplePath = Repository.root.appendingPathComponent("controller/examples/inventory.yaml").path

    @Test func loadsTheExampleInventoryWithEveryKey() throws {
        let inventory = try InventoryLoader.load(path: Self.examplePath)
        #expect(inventory.defaults == HostDefaults(user: "pmagent", port: 22, identity: "/etc/pmctl/id_ed25519",
                                                    knownHosts: "/etc/pmctl/known_hosts"))
        let lab01 = try #require(inventory[host: "lab01"])
        #expect(lab01.address == "10.77.0.11")
        #expect(lab01.macs == [try MACAddress(parsing: "02:77:00:00:00:01")])
        #expect(lab01.interface == "eth0")
        #expect(lab01.broadcast == "10.77.0.255")
        #expect(lab01.hypervisor == .xen)
        #expect(lab01.vms == ["tst100", "tst101"])
        #expect(lab01.ipmi?.address == "10.77.9.11")
        #expect(lab01.ipmi?.passwordFile == "/etc/pmctl/ipmi/lab01")
        #expect(lab01.consoleUser == "ops")
        #expect(lab01.vncDisplay == 1)
        #expect(inventory[host: "hostX"]?.ipmi?.relay == "lab01")
        #expect(inventory[host: "lab02"]?.macs.count == 2)
        #expect(inventory[host: "hostX"]?.relay == "lab01")
        #expect(inventory[host: "node07"]?.user == "root")
        #expect(inventory.hostNames.filter { $0.hasPrefix("node") }.count == 16)
        #expect(inventory.groups["rack1"] == ["lab01", "lab02"] + (1...8).map { String(format: "node%02d", $0) })
        #expect(inventory.groups["all"]?.count == 18)
        #expect(inventory.agentGuests(of: "lab01") == ["tst200", "tst100", "tst101"])
    }

    /// Loads `text` as if from a file named inventory.yaml and returns the error's text.
    func error(_ text: String) -> String? {
        do {
            _ = try InventoryLoader(file: "inventory.yaml").parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aMalformedMACNamesFileLineAndKey() {
        let text = """
        hosts:
          lab01:
            address: 10.0.0.1
            mac: 02:77:00:00:05
        """
        let message = error(text)
        #expect(message?.hasPrefix("inventory.yaml:4: 'mac' must look like 02:77:00:00:00:05, got '02:77:00:00:05'") == true)
    }

    @Test func anUnknownHostKeyIsAnErrorOnItsLine() {
        let message = error("hosts:\n  lab01:\n    adress: 10.0.0.1\n")
        #expect(message?.hasPrefix("inventory.yaml:3: 'adress' is not a known host key") == true)
    }

    @Test func anUnknownTopLevelKeyIsAnError() {
        #expect(error("hosts: {}\nhostgroups: {}\n")?.hasPrefix("inventory.yaml:2: 'hostgroups' is not a known key") == true)
    }

    @Test func aWrongTypeNamesWhatWasExpected() {
        #expect(error("defaults:\n  port: twenty-two\n") == "inventory.yaml:2: 'port' must be a whole number from 1 to 65535, got 'twenty-two'")
        #expect(error("defaults:\n  port: \"22\"\n")?.hasPrefix("inventory.yaml:2: 'port' must be a whole number") == true)
        #expect(error("hosts:\n  lab01:\n    vms: tst100\n") == "inventory.yaml:3: 'vms' must be a list like [a, b], got 'tst100'")
        #expect(error("hosts: [lab01]\n")?.hasPrefix("inventory.yaml:1: 'hosts' must be a mapping") == true)
    }

    @Test func badInterfaceAndGuestNamesAreRefused() {
        #expect(error("hosts:\n  lab01:\n    interface: eth0; reboot\n")?
            .hasPrefix("inventory.yaml:3: 'interface' must be an interface name") == true)
        #expect(error("hosts:\n  lab01:\n    vms: [ok1, \"bad guest\"]\n")?
            .hasPrefix("inventory.yaml:3: 'vms' must be a guest name") == true)
        #expect(error("hosts:\n  lab01:\n    hypervisor: vmware\n") == "inventory.yaml:3: 'hypervisor' must be libvirt, xen, xm or none, got 'vmware'")
    }

    @Test func anIPMIPasswordInTheFileIsRefused() {
        #expect(error("hosts:\n  lab01:\n    ipmi:\n      address: 10.0.0.5\n      password: secret\n")?
            .hasPrefix("inventory.yaml:5: 'password' is not allowed") == true)
    }

    /// ipmi.user is checked where it is written, against the pattern the ipmi verb takes,
    /// not at a relay in the middle of a run.
    @Test func anIPMIUserOutsideTheProtocolsPatternIsRefusedWithItsLine() {
        #expect(error("hosts:\n  lab01:\n    ipmi:\n      address: 10.0.0.5\n      user: \"-U root\"\n")?
            .hasPrefix("inventory.yaml:5: 'user' must be 1-16 of A-Z a-z 0-9 _ . @ -") == true)
        #expect(error("hosts:\n  lab01:\n    ipmi: {address: 10.0.0.5, user: averyveryverylongname}\n")?
            .hasPrefix("inventory.yaml:3: 'user' must be") == true)
        #expect(error("hosts:\n  lab01:\n    ipmi: {address: 10.0.0.5, user: admin.ops@x}\n") == nil)
    }

    @Test func aVNCDisplayAndAnIPMIRelayAreChecked() {
        #expect(error("hosts:\n  lab01:\n    vnc_display: 59636\n")?
            .hasPrefix("inventory.yaml:3: 'vnc_display' must be") == true)
        #expect(error("hosts:\n  lab01:\n    ipmi: {address: 10.0.0.5, relay: \"lab02; reboot\"}\n")?
            .hasPrefix("inventory.yaml:3: 'relay' must be") == true)
    }

    @Test func groupsMustReferToDefinedGroupsWithoutLoops() {
        #expect(error("groups:\n  a: [\"@b\"]\n")?.hasPrefix("inventory.yaml:2: 'a' refers to group '@b', which is not defined") == true)
        #expect(error("groups:\n  a: [\"@b\"]\n  b: [\"@a\"]\n")?.contains("includes itself") == true)
        #expect(error("groups:\n  a: [\"node[3-1]\"]\n")?.hasPrefix("inventory.yaml:2: 'a' member 'node[3-1]': range '3-1' is reversed") == true)
    }

    @Test func duplicateHostsAndKeysAreErrors() {
        #expect(error("hosts:\n  \"n[1-2]\": {}\n  n2: {}\n")?.hasPrefix("inventory.yaml:3: 'n2' is defined twice") == true)
        #expect(error("hosts:\n  lab01:\n    port: 22\n    port: 23\n")?.hasPrefix("inventory.yaml:3: 'port' appears twice") == true)
    }

    @Test func guestsThatLoopBackToTheirHostAreRefused() {
        let message = error("hosts:\n  a:\n    vms: [b]\n  b:\n    vms: [a]\n")
        #expect(message?.hasPrefix("inventory.yaml:2: 'vms' of 'a' loop back to it: a -> b -> a") == true)
    }

    @Test func brokenYAMLNamesTheLine() {
        let message = error("hosts:\n  lab01:\n    address: [10.0.0.1\n")
        #expect(message?.hasPrefix("inventory.yaml:") == true)
        #expect(message?.contains("is not valid YAML") == true)
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: InventoryError.self) { try InventoryLoader.load(path: "/nonexistent/pmctl/inventory.yaml") }
    }

    @Test func targetsResolveGroupsNodeSetsAndPlainNamesOnceEach() throws {
        let inventory = try InventoryLoader.load(path: Self.examplePath)
        let resolver = TargetResolver(inventory: inventory, overrides: LoginOverrides(port: 2222))
        let hosts = try resolver.resolve(["@rack2", "node[15-17]", "lab01", "192.0.2.7"])
        #expect(hosts.map(\.name) == (9...17).map { String(format: "node%02d", $0) } + ["lab01", "192.0.2.7"])
        let lab01 = try #require(hosts.first { $0.name == "lab01" })
        #expect(lab01.address == "10.77.0.11")
        #expect(lab01.user == "pmagent")
        #expect(lab01.port == 2222)
        #expect(hosts.first { $0.name == "node09" }?.user == "root")
        #expect(hosts.last?.inInventory == false)
        #expect(hosts.last?.address == "192.0.2.7")
    }

    @Test func anEmptyOrUnknownTargetIsAnError() throws {
        let resolver = TargetResolver(inventory: try InventoryLoader.load(path: Self.examplePath))
        #expect(throws: PlanError.self) { try resolver.resolve([]) }
        let unknown = #expect(throws: PlanError.self) { try resolver.resolve(["@rack9"]) }
        #expect(unknown?.message.contains("unknown group '@rack9'") == true)
        #expect(throws: PlanError.self) { try resolver.resolve(["bad_host!"]) }
    }
}
