import Foundation

/// OpenIPMI's real `ipmi_sim`, serving IPMI over LAN on 127.0.0.1 and a free UDP port,
/// with one admin user and a chassis whose power state lives in a file. Every power
/// get/set the BMC receives is logged with its time, so tests can check what was sent
/// and how far apart.
public final class IPMISimulator: @unchecked Sendable {
    public let port: Int
    public let user = "admin"
    public let password = "pm-secret"
    public let directory: TemporaryDirectory
    private let process: Process

    public var passwordFile: String { directory.file("password") }

    public init(initialPower: Bool = false) throws {
        directory = try TemporaryDirectory("pmipmi")
        port = freeLoopbackPort(udp: true)
        let dir = directory.path
        try directory.write("password", password + "\n", mode: 0o600)
        try directory.write("power", initialPower ? "1\n" : "0\n")
        // ipmi_sim calls: chassis.sh get power | chassis.sh set power N | set shutdown 1 (for
        // `chassis power soft`: this simulated host honours the ACPI request and goes off)
        // | set reset 1.
        try directory.write("chassis.sh", """
            #!/bin/sh
            op=$1; shift
            echo "$(date +%s.%N) $op $*" >> \(dir)/chassis.log
            case $op in
            get) for v in "$@"; do case $v in power) echo "power:$(cat \(dir)/power)" ;; esac; done ;;
            set) while [ $# -gt 1 ]; do
                   # A BMC whose chassis never goes off (stuck relay, or a cycle too quick to see).
                   if [ "$1" = power ] && [ "$2" = 0 ] && [ -e \(dir)/stays-on ]; then shift 2; continue; fi
                   [ "$1" = power ] && echo "$2" > \(dir)/power
                   [ "$1" = shutdown ] && [ "$2" = 1 ] && echo 0 > \(dir)/power
                   shift 2
                 done ;;
            esac
            """, mode: 0o755)
        try directory.write("lan.conf", """
            name "pmtest"
            set_working_mc 0x20
              startlan 1
                addr 127.0.0.1 \(port)
                priv_limit admin
                allowed_auths_callback none md2 md5 straight
                allowed_auths_user none md2 md5 straight
                allowed_auths_operator none md2 md5 straight
                allowed_auths_admin none md2 md5 straight
                guid a123456789abcdefa123456789abcdef
              endlan
              chassis_control "\(dir)/chassis.sh"
              user 2 true "\(user)" "\(password)" admin 10 none md2 md5 straight

            """)
        try directory.write("sim.emu", "mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nmc_enable 0x20\n")
        try FileManager.default.createDirectory(atPath: directory.file("state"), withIntermediateDirectories: true)

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ipmi_sim")
        // -n: no console (else it aborts without a terminal).
        process.arguments = ["-n", "-c", directory.file("lan.conf"), "-f", directory.file("sim.emu"), "-s", directory.file("state")]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // Ready once it answers a status; give it a few seconds.
        for _ in 0..<50 {
            if !process.isRunning { break }
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/ipmitool")
            probe.arguments = ["-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p", String(port), "-U", user,
                               "-f", passwordFile, "-R", "1", "-N", "1", "chassis", "power", "status"]
            probe.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            probe.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try probe.run()
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        try? FileManager.default.removeItem(atPath: directory.file("chassis.log"))
    }

    /// The chassis power the simulator holds now.
    public var isPoweredOn: Bool {
        (try? String(contentsOfFile: directory.file("power"), encoding: .utf8))?.hasPrefix("1") ?? false
    }

    /// Every chassis call since start: its time and what it was (`get power`, `set power 1`).
    public var chassisLog: [(time: Double, call: String)] {
        let text = (try? String(contentsOfFile: directory.file("chassis.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let time = Double(parts[0]) else { return nil }
            return (time, String(parts[1]))
        }
    }

    /// From now on the chassis ignores power-off requests and stays on: what polling sees
    /// after a cycle whose off phase is too short to notice.
    public func staysOn() throws { try directory.write("stays-on", "") }

    public func stop() {
        if process.isRunning {
            // ipmi_sim ignores SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        directory.remove()
    }

    deinit { stop() }
}
