import Foundation
import PMProtocol

/// A link to an agent running as a local child process, over its stdin and stdout.
/// The child runs in its own process group, which `close` ends by the child's PID.
final class ProcessAgentLink: AgentLink {
    let pid: pid_t
    private var input: Int32
    private var output: Int32
    private var inbox = LineInbox()
    private var ended = false
    private var closed = false

    init(pid: pid_t, input: Int32, output: Int32) {
        self.pid = pid
        self.input = input
        self.output = output
    }

    deinit { close() }

    func send(_ message: Message) throws(LinkError) {
        guard !closed else { throw LinkError("the link is closed") }
        let bytes = LineCodec.encode(message)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw LinkError("writing to the agent failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    func receive(until deadline: Deadline) throws(LinkError) -> LinkInput {
        guard !closed else { throw LinkError("the link is closed") }
        while true {
            if let input = inbox.next() { return input }
            if ended { return .closed }
            if deadline.hasPassed { return .timedOut }
            var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(deadline.remainingMilliseconds, 60_000)))
            if ready < 0 {
                if errno == EINTR { continue }
                throw LinkError("waiting for the agent failed: \(String(cString: strerror(errno)))")
            }
            if ready == 0 { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw LinkError("reading from the agent failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                ended = true
                continue
            }
            inbox.feed(buffer[..<count])
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        Foundation.close(input)
        Foundation.close(output)
        // The child and anything it started share its process group: end that group, by
        // the child's own PID, then reap the child.
        kill(-pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<50 {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { return }
            usleep(10_000)
        }
        kill(-pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
