import Foundation

/// Where things are in this checkout, found from this file's own path so tests work from
/// any working directory.
public enum Repository {
    /// The repository's top folder.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `protocol/vectors/`, the conformance vectors both sides test against.
    public static var vectors: URL { root.appendingPathComponent("protocol/vectors") }

    /// The folder the package's products are built into (the one running this test).
    public static var productsDirectory: URL {
        // The test bundle runs from .build/<triple>/debug; the executables sit beside it.
        let bundle = Bundle.main.bundleURL
        return bundle.lastPathComponent.hasSuffix(".xctest") ? bundle.deletingLastPathComponent() : bundle
    }

    /// The path of a built executable of this package, such as `pmagent` or `pmctl`.
    public static func executable(_ name: String) -> URL {
        productsDirectory.appendingPathComponent(name)
    }
}
