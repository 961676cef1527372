import Foundation

/// Finds the inventory file: `--inventory`, else `$PMCTL_INVENTORY`, else
/// `~/.config/pmctl/inventory.yaml` when it exists, else none.
public enum InventoryLocator {
    /// Loads the inventory the rules pick; the empty inventory when there is none. A file
    /// named explicitly (option or environment) must exist.
    public static func load(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(InventoryError) -> Inventory
    {
        if let path = explicit ?? environment["PMCTL_INVENTORY"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return try InventoryLoader.load(path: path)
        }
        if let home = environment["HOME"] {
            let path = home + "/.config/pmctl/inventory.yaml"
            if FileManager.default.fileExists(atPath: path) { return try InventoryLoader.load(path: path) }
        }
        return .empty
    }
}
