import PMProtocol

/// The receiving half every link shares: bytes in as they arrive, protocol lines out, one
/// at a time. Overlong and malformed lines come out as `.malformed`, empty ones not at all.
struct LineInbox {
    private var splitter = LineSplitter()
    private var pending: [LineSplitter.Event] = []

    mutating func feed(_ bytes: some Sequence<UInt8>) {
        pending += splitter.feed(bytes)
    }

    /// The next complete line, or nil when more bytes are needed.
    mutating func next() -> LinkInput? {
        while !pending.isEmpty {
            switch pending.removeFirst() {
            case .line(let line):
                do {
                    if let message = try LineCodec.decode(line) { return .message(message) }
                } catch {
                    return .malformed(error)
                }
            case .overlong(let prefix):
                return .malformed(DecodeError(.tooLong, "the agent sent a line longer than \(Limits.maximumLineLength) bytes",
                                              requestID: LineCodec.requestID(inPrefixOf: prefix)))
            }
        }
        return nil
    }
}
