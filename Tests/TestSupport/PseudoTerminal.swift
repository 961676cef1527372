import Foundation

/// A pseudo-terminal pair from posix_openpt: a program given the slave side sees a
/// terminal (isatty), and what it writes there is read from the master side.
public final class PseudoTerminal: @unchecked Sendable {
    public let master: Int32
    public private(set) var slave: Int32

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(columns: UInt16 = 120, rows: UInt16 = 40) throws {
        typealias OpenPT = @convention(c) (Int32) -> Int32
        typealias PTOp = @convention(c) (Int32) -> Int32
        typealias PTSName = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        master = try Self.libc("posix_openpt", as: OpenPT.self)(O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw Failure(description: "posix_openpt: errno \(errno)") }
        guard try Self.libc("grantpt", as: PTOp.self)(master) == 0, try Self.libc("unlockpt", as: PTOp.self)(master) == 0,
              let name = try Self.libc("ptsname", as: PTSName.self)(master).map({ String(cString: $0) }) else {
            close(master)
            throw Failure(description: "grantpt/unlockpt/ptsname: errno \(errno)")
        }
        slave = open(name, O_RDWR | O_NOCTTY)
        guard slave >= 0 else {
            close(master)
            throw Failure(description: "open \(name): errno \(errno)")
        }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(slave, UInt(TIOCSWINSZ), &size)
    }

    /// Closes this process's copy of the slave side (once a child has its own), so the
    /// master reads end of file (EIO) when the child's copies close.
    public func closeSlave() {
        if slave >= 0 { close(slave) }
        slave = -1
    }

    deinit {
        closeSlave()
        close(master)
    }

    /// A libc function Glibc's Swift overlay hides (it needs _XOPEN_SOURCE).
    static func libc<T>(_ name: String, as type: T.Type) throws -> T {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { throw Failure(description: "no \(name) in libc") }
        return unsafeBitCast(symbol, to: type)
    }
}
