import PMProtocol

/// The hypervisor an inventory host runs, which picks the stack tools for its own cancel.
public enum Hypervisor: String, CaseIterable, Sendable {
    case libvirt, xen, xm, none

    /// The stack type a request to this host carries when it is cancelled as a guest.
    public var stackType: CancelArguments.StackType {
        switch self {
        case .libvirt: .libvirt
        case .xen: .xen
        case .xm: .xm
        case .none: .pm
        }
    }
}
