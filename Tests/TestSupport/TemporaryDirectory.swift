import Foundation

/// A fresh folder under /tmp, removed by `remove()` (tests call it in `defer`).
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "pmtest") throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("\(label).XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    public func write(_ name: String, _ text: String, mode: Int = 0o644) throws {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file(name))
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
