import Glibc
import PMProtocol

/// Set by SIGTERM/SIGINT; the supervisor's loop ends and takes its sshd down with it.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

/// A lab host's simulated power supply. While the host is on, its sshd runs; the fake
/// power tools switch it off or reboot it through `power.fifo`; while it is off, a magic
/// packet for its MAC switches it on again, but only if its WoL was armed.
///
/// Files under DIR: `power.fifo` (commands `off`, `reboot`, `on`), `power` (`on`/`off`),
/// `wol` (the fake ethtool's setting, `g` = armed), `events` (what happened, one line
/// each), `sysroot/proc/sys/kernel/random/boot_id` (a new one at each power-on),
/// `sshd_config`, `sshd.log`.
struct PowerSupervisor {
    let name: String
    let dir: String
    let mac: MACAddress
    let interface: String
    private var sshd: pid_t = 0
    private var isOn = false

    init(name: String, dir: String, macText: String, interface: String) {
        self.name = name
        self.dir = dir
        self.interface = interface
        do { mac = try MACAddress(parsing: macText) } catch {
            printError("pmlab: \(error)")
            exit(2)
        }
    }

    mutating func run() {
        signal(SIGTERM) { _ in stopRequested = 1 }
        signal(SIGINT) { _ in stopRequested = 1 }
        signal(SIGPIPE, SIG_IGN)
        let fifoPath = dir + "/power.fifo"
        unlink(fifoPath)
        guard mkfifo(fifoPath, 0o622) == 0 else { fatal("cannot make \(fifoPath)") }
        // Read-write, so the fifo never reports EOF when a writer closes it.
        let fifo = open(fifoPath, O_RDWR | O_NONBLOCK)
        guard fifo >= 0 else { fatal("cannot open \(fifoPath)") }
        let listener = WakeListener(interface: interface)
        var pending: [UInt8] = []

        powerOn(newBoot: false)
        while stopRequested == 0 {
            var fds = [pollfd(fd: fifo, events: Int16(POLLIN), revents: 0)]
                + listener.descriptors.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), 500) > 0 {
                if fds[0].revents & Int16(POLLIN) != 0 {
                    var buffer = [UInt8](repeating: 0, count: 512)
                    let count = read(fifo, &buffer, buffer.count)
                    if count > 0 { pending += buffer.prefix(count) }
                    while let newline = pending.firstIndex(of: 10) {
                        let command = String(decoding: pending[..<newline], as: UTF8.self)
                        pending.removeSubrange(...newline)
                        handle(command: command)
                    }
                }
                for (index, entry) in fds.enumerated().dropFirst() where entry.revents & Int16(POLLIN) != 0 {
                    let payload = WakeListener.read(entry.fd)
                    if let packet = MagicPacket(payload: payload) {
                        handle(packet: packet, source: listener.descriptors[index - 1].source)
                    }
                }
            }
            reap()
        }
        powerOff(reason: "lab stopped")
    }

    private mutating func handle(command: String) {
        switch command {
        case "off": powerOff(reason: "poweroff")
        case "reboot":
            powerOff(reason: "reboot")
            usleep(300_000)
            powerOn(newBoot: true)
        case "on": if !isOn { powerOn(newBoot: true) }
        default: log("ignored unknown power command '\(command)'")
        }
    }

    private mutating func handle(packet: MagicPacket, source: WakeListener.Source) {
        guard packet.target == mac else { return }
        let armed = (try? contents(dir + "/wol"))?.contains("g") ?? false
        if isOn {
            log("magic packet (\(source)) while on: nothing to do")
        } else if armed {
            log("magic packet (\(source)): waking")
            powerOn(newBoot: true)
        } else {
            log("magic packet (\(source)) ignored: wol not armed")
        }
    }

    private mutating func powerOn(newBoot: Bool) {
        if newBoot { writeFile(dir + "/sysroot/proc/sys/kernel/random/boot_id", uuid() + "\n") }
        let log = open(dir + "/sshd.log", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, log, 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        let argv = ["/usr/sbin/sshd", "-D", "-e", "-f", dir + "/sshd_config"]
        var cArguments = argv.map { strdup($0) } + [nil]
        // sshd starts with no blocked signals and default SIGPIPE/SIGTERM handling, whatever ours are.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let status = posix_spawn(&sshd, argv[0], &actions, &attributes, &cArguments, environ)
        posix_spawnattr_destroy(&attributes)
        cArguments.forEach { free($0) }
        posix_spawn_file_actions_destroy(&actions)
        close(log)
        guard status == 0 else { fatal("cannot start sshd: \(String(cString: strerror(status)))") }
        isOn = true
        writeFile(dir + "/power", "on\n")
        self.log("power on (sshd pid \(sshd))")
    }

    private mutating func powerOff(reason: String) {
        if sshd > 0 {
            kill(sshd, SIGTERM)
            var status: Int32 = 0
            waitpid(sshd, &status, 0)
            sshd = 0
        }
        if isOn { log("power off (\(reason))") }
        isOn = false
        writeFile(dir + "/power", "off\n")
    }

    /// Notices an sshd that died by itself (then the host is off: nothing else serves it).
    private mutating func reap() {
        guard sshd > 0 else { return }
        var status: Int32 = 0
        if waitpid(sshd, &status, WNOHANG) == sshd {
            sshd = 0
            log("sshd exited by itself (status \(status)); host is off")
            isOn = false
            writeFile(dir + "/power", "off\n")
        }
    }

    private func log(_ text: String) {
        var seconds = time(nil)
        var parts = tm()
        localtime_r(&seconds, &parts)
        let stamp = String(format2(parts.tm_hour)) + ":" + format2(parts.tm_min) + ":" + format2(parts.tm_sec)
        append(dir + "/events", "\(stamp) \(name) \(text)\n")
    }

    private func fatal(_ text: String) -> Never {
        printError("pmlab host \(name): \(text)")
        exit(1)
    }
}

func format2(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }

func contents(_ path: String) throws -> String {
    guard let file = fopen(path, "r") else { return "" }
    defer { fclose(file) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 256)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        out += buffer.prefix(count)
    }
    return String(decoding: out, as: UTF8.self)
}

func writeFile(_ path: String, _ text: String) {
    let temporary = path + ".tmp"
    guard let file = fopen(temporary, "w") else { return }
    fputs(text, file)
    fclose(file)
    rename(temporary, path)
}

func append(_ path: String, _ text: String) {
    guard let file = fopen(path, "a") else { return }
    fputs(text, file)
    fclose(file)
}

func uuid() -> String {
    var bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
    bytes[6] = bytes[6] & 0x0F | 0x40
    bytes[8] = bytes[8] & 0x3F | 0x80
    let hex = bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
    return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
}

/// Writes a line to standard error (fd 2 directly: Swift 6 forbids touching C's `stderr`).
func printError(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
}
