/// A host's BMC, as the inventory's `ipmi:` mapping gives it. The password lives in a
/// file, never in the inventory or on a command line.
public struct IPMIEntry: Equatable, Sendable {
    public var address: String
    public var port: Int = 623
    public var user: String?
    public var passwordFile: String?
    public var cipher: Int = 3
    /// The host whose agent runs ipmitool for this BMC (one on the BMC's segment).
    public var relay: String?

    public init(address: String) {
        self.address = address
    }
}
