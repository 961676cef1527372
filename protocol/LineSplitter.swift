/// Cuts a byte stream into lines, without holding more than one line's worth of bytes.
///
/// Feed it whatever a read returned; it hands back complete lines (without LF). A line
/// that grows past `Limits.maximumLineLength` is reported once as `.overlong` with its
/// first bytes, and the rest of it, up to the next LF, is dropped.
public struct LineSplitter: Sendable {
    public enum Event: Equatable, Sendable {
        case line([UInt8])
        /// An overlong line: its first bytes, for finding the request id.
        case overlong(prefix: [UInt8])
    }

    private var buffer: [UInt8] = []
    private var discarding = false
    private let limit: Int

    /// - Parameter limit: the longest line kept; one more byte (a CR) is allowed before LF.
    public init(limit: Int = Limits.maximumLineLength) {
        self.limit = limit
    }

    /// Takes the next chunk of the stream and returns the events it completes.
    public mutating func feed<Bytes: Sequence>(_ chunk: Bytes) -> [Event] where Bytes.Element == UInt8 {
        var events: [Event] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                if !discarding { events.append(.line(buffer)) }
                buffer.removeAll(keepingCapacity: true)
                discarding = false
            } else if !discarding {
                buffer.append(byte)
                // limit + 1 leaves room for a CR that the codec strips.
                if buffer.count > limit + 1 {
                    events.append(.overlong(prefix: Array(buffer.prefix(80))))
                    buffer.removeAll(keepingCapacity: true)
                    discarding = true
                }
            }
        }
        return events
    }

    /// The bytes after the last LF when the stream ended; nil if there were none.
    /// An unterminated last line is not a message: the caller reports or ignores it.
    public var unterminated: [UInt8]? { buffer.isEmpty || discarding ? nil : buffer }
}
