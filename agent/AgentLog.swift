#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The agent's log: stderr (which sshd hands to the controller's session, never mixed
/// with the protocol on stdout), each line prefixed `pmagent:`, and syslog where present.
/// Messages must never hold secrets; the agent has none to log anyway.
public struct AgentLog: Sendable {
    public enum Level: Int, Comparable, Sendable {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var syslogPriority: Int32 {
            switch self {
            case .debug: LOG_DEBUG
            case .info: LOG_INFO
            case .warning: LOG_WARNING
            case .error: LOG_ERR
            }
        }
    }

    public var minimum: Level
    public var useSyslog: Bool

    public init(minimum: Level = .info, useSyslog: Bool = true) {
        self.minimum = minimum
        self.useSyslog = useSyslog
        if useSyslog { openlog("pmagent", LOG_PID, LOG_DAEMON) }
    }

    public func log(_ level: Level, _ message: String) {
        guard level >= minimum else { return }
        // One write per line, so lines of concurrent processes do not interleave.
        let line = Array("pmagent: \(message.replacingControlCharacters)\n".utf8)
        line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
        if useSyslog { Self.syslogLine(level.syslogPriority, message) }
    }

    public func debug(_ message: String) { log(.debug, message) }
    public func info(_ message: String) { log(.info, message) }
    public func warning(_ message: String) { log(.warning, message) }
    public func error(_ message: String) { log(.error, message) }

    /// Writes to syslog even when stderr logging is filtered: the notice before a host
    /// action must reach the host's own log.
    static func syslogLine(_ priority: Int32, _ message: String) {
        message.replacingControlCharacters.withCString { text in
            // "%s" keeps a '%' in the message from being read as a format.
            withVaList([text]) { vsyslog(priority, "%s", $0) }
        }
    }
}

extension String {
    /// Control characters as `?`, so a hostile value cannot forge log lines.
    var replacingControlCharacters: String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
    }
}
