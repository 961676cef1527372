/// One hypervisor's guests and the calls the stack needs. `LibvirtStack` and `XenStack`
/// implement it; the canceller drives any number of them at once.
protocol Hypervisor: AnyObject {
    /// `libvirt` or `xen`, as steps and INFO records report it.
    var kind: String { get }
    /// Every guest the hypervisor knows, running or not.
    func guests() throws(AgentError) -> [Guest]
    /// Asks the guest to shut down and returns at once; the caller waits.
    func shutdown(_ name: String) throws(AgentError)
    func reboot(_ name: String) throws(AgentError)
    /// Stops the guest at once (pulls its plug).
    func destroy(_ name: String) throws(AgentError)
}

/// A guest as its hypervisor lists it.
struct Guest: Equatable, Sendable {
    var name: String
    /// `running`, `paused`, `blocked`, `shutdown`, `off`, `crashed`, ... as INFO reports it.
    var state: String
    /// Whether it still holds resources (running, paused, blocked...): what "still up" means
    /// when waiting for a shutdown.
    var isActive: Bool
}
