/// The arguments of `REQ <id> ipmi ...`: the agent runs one `ipmitool -I lanplus ... chassis
/// power <command>` for the controller, against a BMC only its segment reaches (the relay).
///
/// Wire keys, in canonical order: `command` (required), `address` (required), `port`
/// (default 623), `user` (required), `cipher` (default 3), `password` (required). The
/// password travels as an escaped value like any other; the agent hands it to ipmitool on
/// a pipe, never in an argument list or the environment.
public struct IPMIArguments: Equatable, Sendable {
    /// What `chassis power` is asked; the same words as `pmctl ipmi`.
    public static let commands = ["on", "off", "soft", "cycle", "reset", "status"]

    public var command: String
    public var address: String
    public var port: Int = 623
    public var user: String
    public var cipher: Int = 3
    public var password: String

    public init(command: String, address: String, port: Int = 623, user: String, cipher: Int = 3, password: String) {
        self.command = command
        self.address = address
        self.port = port
        self.user = user
        self.cipher = cipher
        self.password = password
    }

    public init(_ fields: Fields) throws(ArgumentError) {
        var reader = ArgumentReader(fields)
        guard let command = try reader.value("command", expected: Self.commands.joined(separator: ", "), { Self.commands.contains($0) ? $0 : nil })
        else { throw ArgumentError(key: "command", "is required") }
        guard let address = try reader.value("address", expected: "a host name or IPv4 address", { Patterns.isHostName($0) ? $0 : nil })
        else { throw ArgumentError(key: "address", "is required") }
        self.command = command
        self.address = address
        port = try reader.integer("port", in: 1...65_535) ?? 623
        guard let user = try reader.value("user", expected: "1-16 of A-Z a-z 0-9 _ . @ -, first a letter or digit", Self.userName)
        else { throw ArgumentError(key: "user", "is required") }
        self.user = user
        cipher = try reader.integer("cipher", in: 0...17) ?? 3
        // IPMI 2.0 passwords are at most 20 bytes; no control characters, so it is one line.
        guard let password = try reader.text("password", maximumLength: 20) else { throw ArgumentError(key: "password", "is required") }
        guard !password.isEmpty else { throw ArgumentError(key: "password", "is empty") }
        self.password = password
        try reader.finish()
    }

    public var fields: Fields {
        var fields = Fields()
        fields.set("command", command)
        fields.set("address", address)
        fields.set("port", String(port))
        fields.set("user", user)
        fields.set("cipher", String(cipher))
        fields.set("password", password)
        return fields
    }

    /// A BMC user name as it may reach ipmitool's `-U` (1-16 of A-Z a-z 0-9 _ . @ -, first a
    /// letter or digit); nil when it may not. The inventory checks `ipmi.user` with it too.
    public static func userName(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard (1...16).contains(bytes.count), Grammar.isAlphanumeric(bytes[0]) else { return nil }
        let allowed = [UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "@"), UInt8(ascii: "-")]
        return bytes.allSatisfy { Grammar.isAlphanumeric($0) || allowed.contains($0) } ? text : nil
    }
}
