import Foundation

/// The local terminal in raw mode for the length of a console session, and put back the
/// way it was on every way out: normal return, a thrown error, SIGTERM, SIGHUP.
final class TerminalMode {
    private let descriptor: Int32
    private var saved = termios()
    private var isRaw = false

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Raw mode: bytes go through as typed (Ctrl-C too, to the remote), no local echo.
    func makeRaw() throws {
        guard tcgetattr(descriptor, &saved) == 0 else { throw ConsoleError("the terminal's settings cannot be read") }
        var raw = saved
        cfmakeraw(&raw)
        guard tcsetattr(descriptor, TCSAFLUSH, &raw) == 0 else { throw ConsoleError("the terminal cannot be put in raw mode") }
        isRaw = true
        TerminalMode.restoreOnSignal = saved
        TerminalMode.restoreDescriptor = descriptor
        for signal in [SIGTERM, SIGHUP, SIGQUIT] {
            Glibc.signal(signal) { number in
                var settings = TerminalMode.restoreOnSignal
                tcsetattr(TerminalMode.restoreDescriptor, TCSAFLUSH, &settings)
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    func restore() {
        guard isRaw else { return }
        isRaw = false
        tcsetattr(descriptor, TCSAFLUSH, &saved)
    }

    deinit { restore() }

    /// The terminal's size, columns × rows (80 × 24 when it cannot be read).
    static func size(of descriptor: Int32) -> (columns: Int, rows: Int) {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return (80, 24) }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    // For the signal handlers, which cannot capture context.
    nonisolated(unsafe) static var restoreOnSignal = termios()
    nonisolated(unsafe) static var restoreDescriptor: Int32 = 0
}
