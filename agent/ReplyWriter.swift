#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PMProtocol

/// Writes protocol lines to the controller, one `write` per line and nothing buffered,
/// so each step reaches the controller as it happens. Only this type writes to stdout.
final class ReplyWriter {
    private var fd: Int32
    private let log: AgentLog
    /// False once the controller went away (EPIPE): the work goes on, its lines are dropped.
    private(set) var isOpen = true

    init(fd: Int32, log: AgentLog) {
        self.fd = fd
        self.log = log
    }

    func send(_ message: Message) {
        guard isOpen else { return }
        let line = LineCodec.encode(message)
        var offset = 0
        while offset < line.count {
            let written = line.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                log.warning("the controller stopped reading (\(SystemError.text(errno))); the request's work goes on")
                isOpen = false
                return
            }
            offset += written
        }
    }

    func send(_ step: Step, id: String) { send(step.message(id: id)) }

    /// Closes the output for good: sshd ends the channel once every holder of the pipe
    /// closed it, which tells the controller the result is complete. The descriptor is
    /// pointed at /dev/null rather than left free, so no later open reuses it as stdout.
    func close() {
        guard fd >= 0 else { return }
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        if null >= 0 {
            dup2(null, fd)
            Glibc.close(null)
        } else {
            Glibc.close(fd)
        }
        isOpen = false
    }
}
