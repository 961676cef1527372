import Foundation
import SSH

/// `CONSOLE:CLI`: an interactive shell on the target in this terminal, over an SSH PTY
/// channel. One thread does everything (a session is confined to its thread): it moves
/// typed bytes to the channel, the channel's output to the screen, and size changes to the
/// remote PTY, waking at least every 20 ms.
public struct CLIConsole {
    public var target: SSHTarget
    public var input: Int32 = 0
    public var output: Int32 = 1

    public init(target: SSHTarget) {
        self.target = target
    }

    /// Runs the session to its end; returns the remote shell's exit status.
    public func run() throws -> Int32 {
        guard isatty(input) == 1 else {
            throw ConsoleError("a CLI console needs a terminal on standard input; for scripts use the other commands")
        }
        let session: SSHSession
        do { session = try SSHSession.connect(to: target) } catch { throw ConsoleError(error.description) }
        defer { try? session.disconnect(deadline: .after(seconds: 1)) }

        var size = TerminalMode.size(of: output)
        let term = ProcessInfo.processInfo.environment["TERM"].flatMap { $0.isEmpty ? nil : $0 } ?? "xterm"
        let channel: SSHChannel
        do {
            channel = try session.shell(pty: try PTYRequest(term: term, columns: size.columns, rows: size.rows),
                                        deadline: .after(seconds: 10))
        } catch {
            throw ConsoleError("the shell on \(target.host) could not be started: \(error.description)")
        }

        let terminal = TerminalMode(descriptor: input)
        try terminal.makeRaw()
        defer { terminal.restore() }

        var buffer = [UInt8](repeating: 0, count: 4096)
        loop: while true {
            // Keyboard first: whatever was typed goes out at once.
            var typed = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            if poll(&typed, 1, 0) > 0 {
                let count = read(input, &buffer, buffer.count)
                if count <= 0 { break loop }
                do { try channel.write(Array(buffer[..<count]), deadline: .after(seconds: 10)) } catch { break loop }
            }
            let now = TerminalMode.size(of: output)
            if now != size {
                size = now
                try? channel.resizePTY(columns: size.columns, rows: size.rows, deadline: .after(seconds: 2))
            }
            do {
                switch try channel.read(deadline: .after(seconds: 0.02)) {
                case .stdout(let bytes), .stderr(let bytes): Self.writeAll(bytes, to: output)
                case .eof: break loop
                }
            } catch .timeout {
                continue
            } catch {
                break loop
            }
        }
        let exit = (try? channel.close(deadline: .after(seconds: 2)))
        return exit?.status ?? 255
    }

    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }
}
