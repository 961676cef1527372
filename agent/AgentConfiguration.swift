/// Where the agent finds its tools, its hypervisor and the host files it reads.
public struct AgentConfiguration: Equatable, Sendable {
    /// Searched in order before `systemDirectories`.
    public var toolDirectories: [String] = []
    /// When false only `toolDirectories` are searched: tests use it so that no real power
    /// tool of the test machine can ever be found, and a locked-down host may too.
    public var searchSystemDirectories = true
    public var libvirtURI = "qemu:///system"
    /// Host files (`/proc/...`, `/sys/...`, `/etc/os-release`) are read under this folder
    /// when they exist there, else from `/`.
    public var sysroot = "/"

    /// The fixed system directories of CONTRACT.md, searched after the tool directories.
    public static let systemDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The default configuration file; a missing one is no error.
    public static let defaultFile = "/etc/pmagent.conf"

    public init() {}

    /// The directories a tool is looked for in, in order.
    public var searchDirectories: [String] {
        toolDirectories + (searchSystemDirectories ? Self.systemDirectories : [])
    }

    /// A problem in the configuration file or an option, naming where.
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Checks a tool directory or sysroot given on the command line or in the file: an
    /// absolute path without `..`, since it decides which programs run as root.
    public static func checkDirectory(_ path: String, what: String) throws(Problem) {
        guard path.hasPrefix("/") else { throw Problem("\(what) '\(path)' must be an absolute path") }
        guard !path.split(separator: "/").contains("..") else { throw Problem("\(what) '\(path)' must not contain '..'") }
        guard !path.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw Problem("\(what) contains a control character")
        }
    }

    /// Reads the configuration file at `path`; nil when it does not exist and `required` is false.
    public static func load(file path: String, required: Bool) throws(Problem) -> AgentConfiguration? {
        guard let contents = SystemFiles.readFile(path) else {
            if required { throw Problem("\(path): cannot be read") }
            return nil
        }
        return try parse(file: path, contents: contents)
    }

    /// Reads `key = value` lines (`#` starts a comment): `tool-dir` (repeatable),
    /// `libvirt-uri`, `sysroot`, `system-tools` (yes|no). Settings from the file come
    /// before the command line's: its tool directories are searched after the command
    /// line's, and its single values are overridden by the command line's.
    public static func parse(file: String, contents: String) throws(Problem) -> AgentConfiguration {
        var configuration = AgentConfiguration()
        for (index, rawLine) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let place = "\(file):\(index + 1)"
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw Problem("\(place): expected 'key = value', got '\(trimmed)'")
            }
            let key = trimmed[..<equals].trimmingSpaces
            let value = trimmed[trimmed.index(after: equals)...].trimmingSpaces
            guard !value.isEmpty else { throw Problem("\(place): '\(key)' has no value") }
            switch key {
            case "tool-dir":
                do { try checkDirectory(value, what: "tool-dir") } catch { throw Problem("\(place): \(error)") }
                configuration.toolDirectories.append(value)
            case "libvirt-uri":
                configuration.libvirtURI = value
            case "sysroot":
                do { try checkDirectory(value, what: "sysroot") } catch { throw Problem("\(place): \(error)") }
                configuration.sysroot = value
            case "system-tools":
                guard value == "yes" || value == "no" else {
                    throw Problem("\(place): 'system-tools' must be yes or no, got '\(value)'")
                }
                configuration.searchSystemDirectories = value == "yes"
            default:
                throw Problem("\(place): unknown key '\(key)' (known: tool-dir, libvirt-uri, sysroot, system-tools)")
            }
        }
        return configuration
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
