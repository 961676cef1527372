import Foundation

/// A lab from `lab/lab.sh` for one test suite: its own namespace prefix and run folder, so
/// suites never share hosts. `pmctl` runs inside the lab's controller namespace.
public final class Lab: @unchecked Sendable {
    public let prefix: String
    public let run: String
    public let hostCount: Int
    private var isUp = false

    private static let counter = Counter()

    /// - Parameter prefix: the start of the lab's namespace names (a helper or suite's own,
    ///   so labs of different runs never meet); the process id and a counter follow it.
    public init(hosts: Int, prefix base: String = "pmt") throws {
        prefix = "\(base)\(getpid())x\(Lab.counter.next())"
        run = FileManager.default.temporaryDirectory.appendingPathComponent(prefix).path
        hostCount = hosts
        let up = try script(["up", String(hosts)])
        guard up.status == 0 else {
            _ = try? script(["down"])
            throw LabError(description: "lab up failed (\(up.status)): \(up.stderr)\(up.stdout)")
        }
        isUp = true
    }

    deinit { try? down() }

    public struct LabError: Error, CustomStringConvertible {
        public var description: String
    }

    public var inventory: String { run + "/inventory.yaml" }

    /// `lab01`, `lab02`, ...
    public func name(_ index: Int) -> String { String(format: "lab%02d", index) }

    /// Runs the built pmctl in the controller namespace with the lab's inventory.
    /// - Parameter killAfter: SIGKILL it after that many seconds if it still runs (`ip netns
    ///   exec` execs pmctl in its own place, so the signal reaches pmctl itself).
    public func pmctl(_ arguments: [String], environment: [String: String?] = [:], killAfter: Double = 600) throws -> ProgramRun {
        var changes = environment
        changes["PMCTL_INVENTORY"] = inventory
        changes["PMCTL_STATE"] = changes["PMCTL_STATE"] ?? run + "/state"
        return try ProgramRun.run(URL(fileURLWithPath: "/usr/sbin/ip"),
                                  ["netns", "exec", prefix + "-ctl", Repository.executable("pmctl").path] + arguments,
                                  environment: changes, timeout: killAfter)
    }

    /// Runs a program inside a host's namespace.
    public func exec(in host: String, _ arguments: [String]) throws -> ProgramRun {
        try ProgramRun.run(URL(fileURLWithPath: "/usr/sbin/ip"), ["netns", "exec", "\(prefix)-\(host)"] + arguments)
    }

    /// The commands the host's fake tools recorded, in order (`poweroff`, `ethtool -s eth0 wol g`, ...).
    public func commands(_ host: String) -> [String] {
        read(host, "commands").split(separator: "\n").map(String.init)
    }

    /// Forget the recorded commands (between steps of one test).
    public func clearCommands(_ host: String) throws {
        try "".write(toFile: "\(run)/hosts/\(host)/commands", atomically: true, encoding: .utf8)
    }

    /// `on` or `off`, as the host's power supervisor says.
    public func power(_ host: String) -> String { read(host, "power").trimmingCharacters(in: .whitespacesAndNewlines) }

    /// The host's WoL setting as its fake ethtool keeps it (`d` off, `g` armed).
    public func wol(_ host: String) -> String { read(host, "wol").trimmingCharacters(in: .whitespacesAndNewlines) }

    public func bootID(_ host: String) -> String {
        read(host, "sysroot/proc/sys/kernel/random/boot_id").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What the power supervisor logged (power on/off, magic packets).
    public func events(_ host: String) -> [String] { read(host, "events").split(separator: "\n").map(String.init) }

    /// Switches a host off or on as its power button would (`off`, `on`, `reboot`).
    public func press(_ host: String, _ command: String) throws {
        try (command + "\n").write(toFile: "\(run)/hosts/\(host)/power.fifo", atomically: false, encoding: .utf8)
    }

    /// Waits until `condition` holds or `seconds` pass; returns whether it held.
    @discardableResult
    public func wait(seconds: Double, for condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    /// Whether the host's sshd accepts TCP, seen from inside its namespace.
    public func acceptsSSH(_ host: String) -> Bool {
        (try? exec(in: host, ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/22"]))?.status == 0
    }

    /// Every host on, WoL disarmed, Xen guest lists full again, command records empty.
    public func reset() throws {
        for index in 1...hostCount {
            let host = name(index)
            try "\(host)-xen1\n\(host)-xen2\n".write(toFile: "\(run)/hosts/\(host)/xl.guests", atomically: true, encoding: .utf8)
            try "d\n".write(toFile: "\(run)/hosts/\(host)/wol", atomically: true, encoding: .utf8)
            try clearCommands(host)
            if power(host) != "on" { try press(host, "on") }
        }
        for index in 1...hostCount where !wait(seconds: 10, for: { power(name(index)) == "on" && acceptsSSH(name(index)) }) {
            throw LabError(description: "\(name(index)) did not come back on")
        }
    }

    public func down() throws {
        guard isUp else { return }
        isUp = false
        let result = try script(["down"])
        if result.status != 0 { throw LabError(description: "lab down failed: \(result.stderr)") }
    }

    /// What `down` left behind: namespaces with the lab's prefix and recorded processes still alive.
    public func leftovers() -> [String] {
        var left: [String] = []
        let namespaces = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        left += namespaces.filter { $0.hasPrefix(prefix + "-") }.map { "namespace \($0)" }
        let pids = (try? String(contentsOfFile: run + "/pids.down", encoding: .utf8)) ?? ""
        for line in pids.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let pid = Int32(parts[0]) else { continue }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let fields = stat.split(separator: " ")
            // Alive, ours (same start time), and not a zombie waiting for PID 1 to reap it.
            if fields.count > 21, fields[21] == parts[1], fields[2] != "Z" { left.append("process \(line)") }
        }
        return left
    }

    private func read(_ host: String, _ file: String) -> String {
        (try? String(contentsOfFile: "\(run)/hosts/\(host)/\(file)", encoding: .utf8)) ?? ""
    }

    fileprivate func script(_ arguments: [String]) throws -> ProgramRun {
        try ProgramRun.run(URL(fileURLWithPath: "/bin/bash"), [Repository.root.appendingPathComponent("lab/lab.sh").path] + arguments,
                           environment: ["PMLAB_PREFIX": prefix, "PMLAB_RUN": run, "PMLAB_BIN": Repository.productsDirectory.path])
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}

extension Lab {
    /// Arms the host's WoL and switches it off, as a `cancel --wol --self` would leave it.
    public func armAndPowerOff(_ host: String) throws {
        try "g\n".write(toFile: "\(run)/hosts/\(host)/wol", atomically: true, encoding: .utf8)
        try press(host, "off")
        guard wait(seconds: 10, for: { power(host) == "off" && !acceptsSSH(host) }) else {
            throw LabError(description: "\(host) did not switch off")
        }
    }

    /// A copy of the inventory with every line of `key` left out; its path.
    public func inventoryWithout(key: String) throws -> String {
        let text = try String(contentsOfFile: inventory, encoding: .utf8)
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.trimmingCharacters(in: .whitespaces).hasPrefix(key + ":")
        }
        let path = run + "/inventory-without-\(key).yaml"
        try kept.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// `pmlab capture` running in a host's namespace: the magic packets it sees.
public final class PacketCaptureRun: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe()

    init(namespace: String, count: Int, timeout: Double) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace, Repository.executable("pmlab").path, "capture",
                             "--interface", "eth0", "--timeout", String(timeout), "--count", String(count)]
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        process.standardInput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)   // its sockets are open well before anything is sent
    }

    /// Waits for the capture to end (count reached or timed out); one line per packet.
    public func finish() throws -> [String] {
        process.waitUntilExit()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

extension Lab {
    public func startCapture(in host: String, count: Int, timeout: Double = 10) throws -> PacketCaptureRun {
        try PacketCaptureRun(namespace: "\(prefix)-\(host)", count: count, timeout: timeout)
    }
}

extension Lab {
    /// Swaps the host's forced command for an agent that greets and then never answers.
    public func makeAgentHang(_ host: String) throws { try inject(.hang, into: [host]) }

    /// Breaks `hosts` on purpose (`lab.sh fault KIND HOST...`); see `LabFault`.
    public func inject(_ fault: LabFault, into hosts: [String]) throws {
        guard !hosts.isEmpty else { return }
        let result = try script(["fault", fault.rawValue] + hosts)
        guard result.status == 0 else { throw LabError(description: "lab fault \(fault.rawValue) failed (\(result.status)): \(result.stderr)") }
    }
}
