#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The host's identity and state as PING and INFO report them, read from the sysroot's
/// files (CONTRACT.md: `--sysroot`), so a simulated host in the lab has its own.
struct HostFacts: Sendable {
    var files: SystemFiles

    /// `<sysroot>/etc/hostname` when the sysroot has one (lab hosts share the UTS
    /// namespace, so only the file tells them apart), else the kernel's host name.
    var hostName: String {
        if files.sysroot != "/", let name = SystemFiles.readFile(files.sysroot + "/etc/hostname")?
            .split(separator: "\n").first.map({ $0.trimmingSpaces }), !name.isEmpty {
            return name
        }
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The kernel's boot id: it changes with every boot, which is how a reboot is confirmed.
    var bootID: String { files.firstLine("/proc/sys/kernel/random/boot_id") ?? "unknown" }

    /// Whole seconds since boot, from `/proc/uptime`.
    var uptime: String {
        guard let line = files.firstLine("/proc/uptime"),
              let first = line.split(separator: " ").first,
              let seconds = Double(first), seconds >= 0, seconds < 1e12
        else { return "unknown" }
        return String(Int(seconds))
    }

    /// `PRETTY_NAME` from `/etc/os-release`, unquoted.
    var operatingSystem: String {
        guard let text = files.read("/etc/os-release") else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            var value = line.dropFirst("PRETTY_NAME=".count).trimmingSpaces
            if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
                value = String(value.dropFirst().dropLast())
            }
            return value
        }
        return "unknown"
    }

    /// The DMI product UUID, where readable (root only on most hosts).
    var productUUID: String? { files.firstLine("/sys/class/dmi/id/product_uuid") }
    /// The DMI serial number, where readable.
    var productSerial: String? { files.firstLine("/sys/class/dmi/id/product_serial") }

    /// What `/sys/power/state` offers: `freeze`, `mem`, `disk`, ...
    var powerStates: Set<String> {
        Set((files.firstLine("/sys/power/state") ?? "").split(separator: " ").map(String.init))
    }

    /// Whether systemd manages this host (its documented test: /run/systemd/system exists).
    var runsSystemd: Bool { files.exists("/run/systemd/system") }
}
