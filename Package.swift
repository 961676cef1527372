// swift-tools-version: 6.0
// PMControl: a fleet power manager. The three parts of the system sit at the top of the
// repository (protocol/, agent/, controller/); the thin executables and the libssh2
// binding live under Sources/.
import PackageDescription

let package = Package(
    name: "PMControl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pmctl", targets: ["pmctl"]),
        .executable(name: "pmagent", targets: ["pmagent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // The line protocol and the magic packet: pure Swift, no I/O, no Foundation.
        .target(name: "PMProtocol", path: "protocol", exclude: ["PROTOCOL.md", "vectors"]),

        // The agent's local work: tools, hypervisors, NICs. Knows the protocol, never the controller.
        .target(
            name: "PMAgent",
            dependencies: ["PMProtocol"],
            path: "agent",
            exclude: ["deploy"]),

        // libssh2 as a system library, and the small safe Swift surface over it.
        .systemLibrary(
            name: "CLibSSH2",
            path: "Sources/CLibSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]),
        .target(name: "SSH", dependencies: ["CLibSSH2"], path: "Sources/SSH"),

        // The controller: inventory, fan-out, WoL sending, IPMI, consoles, journal.
        .target(
            name: "PMController",
            dependencies: [
                "PMProtocol", "SSH",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "controller",
            exclude: ["examples"]),

        .executableTarget(
            name: "pmctl",
            dependencies: [
                "PMController", "PMProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/pmctl"),
        .executableTarget(
            name: "pmagent",
            dependencies: [
                "PMAgent", "PMProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/pmagent"),

        // The lab's helper: a simulated power supply per lab host, and a packet capture.
        .executableTarget(name: "pmlab", dependencies: ["PMProtocol"], path: "lab/pmlab"),

        // Shared by the test targets: the conformance vectors, private sshd instances, temp dirs.
        .target(name: "TestSupport", dependencies: ["PMProtocol"], path: "Tests/TestSupport"),
        .testTarget(
            name: "PMProtocolTests", dependencies: ["PMProtocol", "TestSupport"],
            path: "Tests/PMProtocolTests"),
        .testTarget(
            name: "PMAgentTests", dependencies: ["PMAgent", "PMProtocol", "TestSupport"],
            path: "Tests/PMAgentTests"),
        .testTarget(name: "SSHTests", dependencies: ["SSH", "TestSupport"], path: "Tests/SSHTests"),
        // End to end on the lab: real namespaces, sshd, pmagent, magic packets.
        .testTarget(name: "LabTests", dependencies: ["PMController", "PMProtocol", "TestSupport"], path: "Tests/LabTests"),
        .testTarget(
            name: "PMControllerTests",
            dependencies: ["PMController", "PMProtocol", "SSH", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/PMControllerTests"),
    ]
)
