import Foundation
import Testing
import TestSupport

/// Bad command lines end with exit 2 and a message naming what is wrong, before any host
/// is touched (every host here is unreachable anyway: nothing may even try).
@Suite struct BadCommandLineTests {
    @Test(arguments: [
        (["wake", "lab01", "--mac", "02:77:00:00:00"], "is not a MAC address"),
        (["wake", "lab01", "--secureon", "0102"], "is not a SecureOn password"),
        (["wake", "lab01", "--broadcast", "a b"], "--broadcast 'a b' is not an address"),
        (["wake", "lab01", "--udp-port", "70000"], "--udp-port must be from 1 to 65535"),
        (["cancel", "lab01", "--method", "halt"], "--method must be poweroff, reboot"),
        (["cancel", "lab01", "--delay", "-5"], "--delay must be from 0 to 86400"),
        (["cancel", "lab01", "--vm", "../x"], "--vm '../x' is not a guest name"),
        (["cancel", "lab01", "--wol", "--interface", "eth0;reboot"], "is not an interface name"),
        (["console", "lab01", "--kind", "telnet"], "--kind must be cli, xterm"),
        (["status", "--fanout", "0", "lab01"], "--fanout must be at least 1"),
        (["status", "--timeout", "inf", "lab01"], "--timeout must be more than 0 and at most 86400"),
        (["status", "node[5-1]"], "range '5-1' is reversed"),
        (["status"], "no target hosts"),
        (["history", "--last", "0"], "--last must be at least 1"),
        (["ipmi", "lab01"], "the last word must be on, off, soft, cycle, reset or status"),
        (["-t", "pm", "-a", "cancel=POWEROF", "lab01"], "unknown cancel part 'POWEROF' (at 1st part)"),
        (["-t", "vmware", "-a", "cancel=POWEROFF", "lab01"], "unknown -t 'vmware'"),
        (["--inventory", "/nonexistent/inventory.yaml", "status", "lab01"], "/nonexistent/inventory.yaml"),
    ])
    func aBadCommandLineExits2AndSaysWhy(_ arguments: [String], _ expected: String) throws {
        let run = try ProgramRun.run(Repository.executable("pmctl"), arguments + ["--connect-timeout", "1"],
                                     environment: ["PMCTL_INVENTORY": nil, "HOME": "/nonexistent"])
        #expect(run.status == 2, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains(expected), "\(arguments): \(run.stderr)")
        #expect(run.stdout.isEmpty, "\(arguments): nothing on stdout: \(run.stdout)")
    }
}
