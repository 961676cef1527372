/// A problem in the inventory file, located so an operator can fix it:
/// `inventory.yaml:31: 'mac' must look like 02:77:00:00:00:05, got '02:77:00:00:05'`.
public struct InventoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// 1-based; 0 when the problem has no single line (an unreadable file).
    public var line: Int
    /// The key at fault (`mac`, `hosts.lab01.port`'s last part), or nil for whole-file problems.
    public var key: String?
    /// What is wrong, and what was expected.
    public var reason: String

    public init(file: String, line: Int, key: String?, _ reason: String) {
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line)" : file
        if let key { return "\(place): '\(key)' \(reason)" }
        return "\(place): \(reason)"
    }
}
