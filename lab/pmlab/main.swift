// pmlab: the lab's own helper, never installed on a real fleet.
//
//   pmlab host --name N --dir DIR --mac MAC [--interface eth0]
//       Runs inside a lab host's namespace for as long as the lab is up. It is the host's
//       "power supply": it starts the host's sshd, takes power commands from the fake
//       poweroff/reboot/init tools through DIR/power.fifo, and, while the host is off,
//       listens for magic packets (raw 0x0842 frames and UDP 9/7) and powers the host on
//       when one names its MAC and its WoL was armed (DIR/wol holds `g`).
//   pmlab capture --interface IF --timeout S [--count N]
//       Prints each magic packet seen on IF (raw frames or UDP 9/7) as one line:
//       `raw|udp:PORT <payload hex>`; for tests that check the bytes on the wire.
import Glibc

// A test runner's worker threads block signals, and a child inherits the mask of the thread
// that spawned it: unblock everything, or `lab down`'s SIGTERM would wait forever.
var noSignals = sigset_t()
sigemptyset(&noSignals)
sigprocmask(SIG_SETMASK, &noSignals, nil)

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { usage() }
arguments.removeFirst()
let options = Options(arguments)

switch command {
case "host":
    guard let name = options["name"], let dir = options["dir"], let macText = options["mac"] else { usage() }
    var supervisor = PowerSupervisor(name: name, dir: dir, macText: macText, interface: options["interface"] ?? "eth0")
    supervisor.run()
case "capture":
    guard let interface = options["interface"] else { usage() }
    let timeout = Double(options["timeout"] ?? "10") ?? 10
    let count = Int(options["count"] ?? "1") ?? 1
    exit(PacketCapture(interface: interface).run(timeout: timeout, count: count) ? 0 : 1)
default:
    usage()
}

func usage() -> Never {
    printError("usage: pmlab host --name N --dir DIR --mac MAC [--interface IF]\n       pmlab capture --interface IF [--timeout S] [--count N]")
    exit(2)
}

/// `--key value` pairs.
struct Options {
    private var values: [String: String] = [:]
    init(_ arguments: [String]) {
        var index = 0
        while index + 1 < arguments.count {
            if arguments[index].hasPrefix("--") { values[String(arguments[index].dropFirst(2))] = arguments[index + 1] }
            index += 2
        }
    }
    subscript(key: String) -> String? { values[key] }
}
