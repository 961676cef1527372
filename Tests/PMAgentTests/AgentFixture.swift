import Foundation
import PMProtocol
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// One scenario's world: a temp folder with a tool directory of recording fakes, the
/// record they append their argv to, a sysroot with the host's files, and a libvirt
/// test-driver node file. Agents started from it search only its tool directory
/// (`--no-system-tools`), so no real power tool of the test machine can ever run.
final class AgentFixture {
    let root: String
    var tools: String { root + "/tools" }
    var recordPath: String { root + "/record" }
    var sysroot: String { root + "/sysroot" }
    var nodePath: String { root + "/node.xml" }

    static var agentPath: String { Repository.executable("pmagent").path }

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/pmagent-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw AgentTestError("mkdtemp failed") }
        root = String(cString: made)
        for folder in [tools, sysroot + "/etc", sysroot + "/proc/sys/kernel/random", sysroot + "/sys/power",
                       sysroot + "/sys/class/dmi/id"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        // Readable and writable by the unprivileged agent of the sudo tests.
        chmod(root, 0o777)
        chmod(tools, 0o755)
        FileManager.default.createFile(atPath: recordPath, contents: Data())
        chmod(recordPath, 0o666)
        try write("lab01\n", to: sysroot + "/etc/hostname")
        try write("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n", to: sysroot + "/etc/os-release")
        try write("3f1c2a9e-1111-4222-8333-444455556666\n", to: sysroot + "/proc/sys/kernel/random/boot_id")
        try write("12345.67 23456.78\n", to: sysroot + "/proc/uptime")
        try write("freeze mem disk\n", to: sysroot + "/sys/power/state")
        try write("4c4c4544-0042-3510-8052-b7c04f4e3232\n", to: sysroot + "/sys/class/dmi/id/product_uuid")
        try write("SN-0042\n", to: sysroot + "/sys/class/dmi/id/product_serial")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    // MARK: Fakes

    /// The shell lines that append `NAME ARG...` to the record, first in every fake.
    private func recordingPrologue(_ name: String) -> String {
        """
        #!/bin/sh
        { printf '%s' '\(name)'; for a in "$@"; do printf ' %s' "$a"; done; printf '\\n'; } >> '\(recordPath)'

        """
    }

    /// A fake tool: records its argv, then runs `body` (shell), then exits 0.
    func fake(_ name: String, _ body: String = "") throws {
        let path = tools + "/" + name
        try write(recordingPrologue(name) + body + "\nexit 0\n", to: path)
        chmod(path, 0o755)
    }

    /// Recording fakes for every tool that would power off, reboot or notify this machine.
    func powerFakes() throws {
        for name in ["poweroff", "reboot", "halt", "init", "shutdown", "systemctl"] { try fake(name) }
        try fake("wall", "cat > '\(root)/wall.stdin'")
    }

    /// A fake `xl` that keeps its guests in a file: `list` prints them in xl's real format,
    /// `shutdown` and `destroy` remove one, except that `shutdown` leaves the guests in
    /// `ignoring` running (a guest that ignores the request).
    func xenFake(running: [String], ignoring: [String] = [], name: String = "xl") throws {
        try write(running.map { $0 + "\n" }.joined(), to: root + "/xen-running")
        try write(ignoring.map { $0 + "\n" }.joined(), to: root + "/xen-ignoring")
        chmod(root + "/xen-running", 0o666)
        try fake(name, """
            D='\(root)'
            remove() { grep -vx "$1" "$D/xen-running" > "$D/xen-running.new"; cat "$D/xen-running.new" > "$D/xen-running"; }
            case "$1" in
            list)
              printf 'Name                                        ID   Mem VCPUs\\tState\\tTime(s)\\n'
              printf 'Domain-0                                     0  1024     4     r-----      67.2\\n'
              i=1
              while read n; do
                [ -n "$n" ] && printf '%-40s %5d %5d %5d     -b----       1.5\\n' "$n" "$i" 512 1
                i=$((i+1))
              done < "$D/xen-running"
              ;;
            shutdown) grep -qx "$2" "$D/xen-ignoring" || remove "$2" ;;
            destroy) remove "$2" ;;
            esac
            """)
    }

    /// A fake `ethtool`: `ethtool IF` prints WoL support `pumbg` (currently `d`) for the
    /// interfaces in `capable` and no Wake-on lines for others, like a veth.
    func ethtoolFake(capable: [String], armed: [String] = []) throws {
        try fake("ethtool", """
            if [ "$1" != "-s" ]; then
              echo "Settings for $1:"
              echo "	Link detected: yes"
              case " \(capable.joined(separator: " ")) " in *" $1 "*)
                echo "	Supports Wake-on: pumbg"
                case " \(armed.joined(separator: " ")) " in *" $1 "*) echo "	Wake-on: g" ;; *) echo "	Wake-on: d" ;; esac
              ;; esac
            fi
            """)
    }

    /// A recording wrapper around the real `ip`, for steps on interfaces of a namespace the
    /// test made itself.
    func ipWrapper() throws {
        let real = FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"
        try fake("ip", "exec \(real) \"$@\"")
    }

    // MARK: Record

    /// The commands run so far, one `NAME ARG...` line each.
    var record: [String] {
        ((try? String(contentsOfFile: recordPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits (bounded) until a recorded command satisfies `match`; the record then.
    func waitForRecord(timeout: Double = 15, _ match: (String) -> Bool) -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let lines = record
            if lines.contains(where: match) { return lines }
            usleep(50_000)
        }
        return record
    }

    // MARK: libvirt

    struct TestGuest {
        var name: String
        /// libvirt's virDomainState: 1 running, 3 paused, 5 shut off.
        var state: Int
        /// `<on_poweroff>restart</on_poweroff>`: in the test driver such a guest comes
        /// straight back after a shutdown, like a guest that ignores the request.
        var restartsOnPoweroff = false

        static func running(_ name: String) -> TestGuest { TestGuest(name: name, state: 1) }
        static func paused(_ name: String) -> TestGuest { TestGuest(name: name, state: 3) }
        static func off(_ name: String) -> TestGuest { TestGuest(name: name, state: 5) }
        static func stubborn(_ name: String) -> TestGuest { TestGuest(name: name, state: 1, restartsOnPoweroff: true) }
    }

    /// Writes the libvirt test driver's node file; its URI is `libvirtURI`.
    func libvirtNode(_ guests: [TestGuest]) throws {
        var xml = "<node xmlns:test=\"http://libvirt.org/schemas/domain/test/1.0\">\n"
        for guest in guests {
            xml += """
                  <domain type="test">
                    <name>\(guest.name)</name>
                    <memory>65536</memory>
                    <os><type>hvm</type></os>
                    \(guest.restartsOnPoweroff ? "<on_poweroff>restart</on_poweroff>" : "")
                    <test:runstate>\(guest.state)</test:runstate>
                  </domain>

                """
        }
        xml += "</node>\n"
        try write(xml, to: nodePath)
        chmod(nodePath, 0o644)
    }

    var libvirtURI: String { "test://" + nodePath }

    // MARK: Agents

    /// The `serve` arguments for this fixture.
    func serveArguments(_ extra: [String] = []) -> [String] {
        ["serve", "--tool-dir", tools, "--no-system-tools", "--sysroot", sysroot, "--libvirt-uri", libvirtURI] + extra
    }

    /// Starts the agent directly (as root, like the tests).
    func startAgent(_ extra: [String] = []) throws -> AgentProcess {
        try AgentProcess(executable: Self.agentPath, arguments: serveArguments(extra))
    }

    /// Starts the agent as user nobody (uid 65534), so root tools go through `sudo -n`.
    func startUnprivilegedAgent() throws -> AgentProcess {
        try AgentProcess(executable: "/usr/bin/setpriv",
                         arguments: ["--reuid=65534", "--regid=65534", "--clear-groups", "--", Self.agentPath] + serveArguments())
    }

    /// Starts the agent inside `namespace`, whose interfaces it then sees.
    func startAgent(in namespace: NetworkNamespace) throws -> AgentProcess {
        try AgentProcess(executable: NetworkNamespace.ipPath,
                         arguments: ["netns", "exec", namespace.name, Self.agentPath] + serveArguments())
    }
}
