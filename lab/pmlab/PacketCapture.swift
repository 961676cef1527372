import Glibc
import PMProtocol

/// `pmlab capture`: prints the magic packets that reach this namespace.
struct PacketCapture {
    let interface: String

    func run(timeout: Double, count: Int) -> Bool {
        let listener = WakeListener(interface: interface)
        var seen = 0
        let end = now() + timeout
        var fds = listener.descriptors.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        while seen < count {
            let left = end - now()
            if left <= 0 { return false }
            guard poll(&fds, nfds_t(fds.count), Int32(min(left, 1) * 1000)) > 0 else { continue }
            for (index, entry) in fds.enumerated() where entry.revents & Int16(POLLIN) != 0 {
                let payload = WakeListener.read(entry.fd)
                guard MagicPacket(payload: payload) != nil else { continue }
                let hex = payload.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
                print("\(listener.descriptors[index].source) \(hex)")
                fflush(nil)
                seen += 1
            }
        }
        return true
    }
}

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
