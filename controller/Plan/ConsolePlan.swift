/// `create=CONSOLE:<kind>` or `create=CONNECT`: a console to a running machine. Its
/// executor comes in a later issue; the plan is parsed and shown now.
public struct ConsolePlan: Equatable, Sendable {
    public var kind: ConsoleKind = .cli
    public var label: String?
    /// REUSE: use the machine as it is, never start it.
    public var reuse = false

    public init(kind: ConsoleKind = .cli, label: String? = nil, reuse: Bool = false) {
        self.kind = kind
        self.label = label
        self.reuse = reuse
    }
}
