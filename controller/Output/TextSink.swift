import Foundation

/// Where a renderer writes: a file descriptor (stdout, stderr) in pmctl, a buffer in tests.
public protocol TextSink: AnyObject {
    func write(_ text: String)
}

/// Writes straight to a file descriptor, unbuffered, so lines appear as hosts finish.
public final class FileDescriptorSink: TextSink, Sendable {
    public let descriptor: Int32

    public init(_ descriptor: Int32) {
        self.descriptor = descriptor
    }

    public static let standardOutput = FileDescriptorSink(1)
    public static let standardError = FileDescriptorSink(2)

    public func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return  // a closed pipe (| head) ends output, not the run
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Whether the descriptor is a terminal.
    public var isTerminal: Bool { isatty(descriptor) == 1 }
}

/// Collects text in memory.
public final class BufferSink: TextSink {
    public private(set) var text = ""

    public init() {}

    public func write(_ text: String) { self.text += text }
}
