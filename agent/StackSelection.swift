import PMProtocol

/// Which hypervisors make up the stack for a `type=` (SEMANTICS.md, `-t`): `pm` every
/// one found on the host, `xen` xl else xm, `xm` xm, `libvirt` (and `kvm`) libvirt. A
/// type whose tools are missing is refused, naming the tool.
enum StackSelection {
    static func hypervisors(for type: CancelArguments.StackType, configuration: AgentConfiguration,
                            runner: ToolRunner, log: AgentLog) throws(AgentError) -> [any Hypervisor] {
        switch type {
        case .libvirt:
            return [try LibvirtStack(uri: configuration.libvirtURI)]
        case .xen:
            let (tool, _) = try runner.locateFirst([.xl, .xm])
            return [XenStack(tool: tool, runner: runner)]
        case .xm:
            _ = try runner.locateFirst([.xm])
            return [XenStack(tool: .xm, runner: runner)]
        case .pm:
            var found: [any Hypervisor] = []
            // A host without libvirt, or without a running daemon, has no libvirt guests.
            do {
                found.append(try LibvirtStack(uri: configuration.libvirtURI))
            } catch {
                log.info("no libvirt stack: \(error.message)")
            }
            if let (tool, _) = try? runner.locateFirst([.xl, .xm]) {
                found.append(XenStack(tool: tool, runner: runner))
            }
            return found
        }
    }
}
