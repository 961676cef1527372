#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The guests of one libvirt connection, through the C API (`LibvirtLibrary`). One
/// connection per request: the test driver's state lives as long as the connection, and
/// a long-lived agent should not hold a daemon connection between requests anyway.
final class LibvirtStack: Hypervisor {
    let kind = "libvirt"
    private let library: LibvirtLibrary
    private let connection: OpaquePointer
    private let uri: String

    /// Connects to `uri`; `tool-missing` without libvirt, `tool-failed` when the
    /// connection is refused (no daemon, no permission).
    init(uri: String) throws(AgentError) {
        let library = try LibvirtLibrary.shared.get()
        guard let connection = library.connectOpen(uri) else {
            throw AgentError(.toolFailed, "cannot connect to libvirt at \(uri): \(library.lastError)",
                             ["tool": "libvirt", "exit": "connect"])
        }
        self.library = library
        self.connection = connection
        self.uri = uri
    }

    deinit { _ = library.connectClose(connection) }

    func guests() throws(AgentError) -> [Guest] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = library.listAllDomains(connection, &list, 0)
        guard count >= 0 else { throw failure("list the guests") }
        defer { free(list) }
        var guests: [Guest] = []
        for index in 0..<Int(count) {
            guard let domain = list?[index] else { continue }
            defer { _ = library.domainFree(domain) }
            guard let name = library.domainGetName(domain).map({ String(cString: $0) }) else { continue }
            guests.append(Guest(name: name, state: stateOf(domain).name, isActive: stateOf(domain).active))
        }
        return guests.sorted { $0.name < $1.name }
    }

    func shutdown(_ name: String) throws(AgentError) {
        try withDomain(name, "shut down") { library.domainShutdown($0) }
    }

    func reboot(_ name: String) throws(AgentError) {
        try withDomain(name, "reboot") { library.domainReboot($0, 0) }
    }

    func destroy(_ name: String) throws(AgentError) {
        try withDomain(name, "destroy") { library.domainDestroy($0) }
    }

    private func withDomain(_ name: String, _ what: String, _ call: (OpaquePointer) -> Int32) throws(AgentError) {
        guard let domain = library.lookupByName(connection, name) else { throw failure("find guest \(name)") }
        defer { _ = library.domainFree(domain) }
        guard call(domain) == 0 else { throw failure("\(what) guest \(name)") }
    }

    /// virDomainState, named as `virsh domstate` names it.
    private func stateOf(_ domain: OpaquePointer) -> (name: String, active: Bool) {
        var state: Int32 = 0
        var reason: Int32 = 0
        guard library.domainGetState(domain, &state, &reason, 0) == 0 else { return ("unknown", true) }
        switch state {
        case 1: return ("running", true)
        case 2: return ("blocked", true)
        case 3: return ("paused", true)
        case 4: return ("shutdown", true)  // being shut down: still up
        case 5: return ("off", false)
        case 6: return ("crashed", false)
        case 7: return ("pmsuspended", true)
        default: return ("nostate", true)
        }
    }

    private func failure(_ what: String) -> AgentError {
        AgentError(.toolFailed, "libvirt (\(uri)) could not \(what): \(library.lastError)", ["tool": "libvirt", "exit": "-1"])
    }
}
