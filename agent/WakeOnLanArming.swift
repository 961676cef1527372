import PMProtocol

/// Arms the execution host's NIC for a later wake-up (SEMANTICS.md, CANCEL `WOL`): reads
/// the setting with `ethtool IF`, then `ethtool -s IF wol g`. A NIC enslaved to a bridge
/// (Xen style) is armed with the bridge down, which some drivers need to accept the
/// change, and the bridge is always brought back up, each step reported.
struct WakeOnLanArming {
    var runner: ToolRunner
    var log: AgentLog
    var report: (Step) -> Void

    /// - Parameters:
    ///   - interface: the NIC to arm; nil picks the first non-loopback interface whose
    ///     ethtool output shows magic-packet support.
    ///   - broadcast: the address the controller will wake this host by, shown in the step.
    /// - Returns: whether the NIC is armed now (`armed` or `already-armed`).
    func arm(interface: String?, broadcast: String?) -> Bool {
        var extra = Fields()
        extra.set("broadcast", broadcast)

        let name: String
        let settings: WakeOnLanSettings
        if let interface {
            guard NetworkInterface.exists(interface) else {
                report(step(interface, "failed", extra, detail: "no interface named \(interface) on this host"))
                return false
            }
            do {
                settings = try read(interface)
            } catch {
                report(step(interface, "failed", extra, detail: error.message))
                return false
            }
            name = interface
        } else {
            var found: (String, WakeOnLanSettings)?
            for candidate in NetworkInterface.all() where !candidate.isLoopback {
                guard let candidateSettings = try? read(candidate.name) else { continue }
                if candidateSettings.supportsMagicPacket {
                    found = (candidate.name, candidateSettings)
                    break
                }
            }
            guard let found else {
                report(step("none", "unsupported", extra, detail: "no interface of this host supports wake on magic packet"))
                return false
            }
            (name, settings) = found
        }

        if settings.magicPacketArmed {
            report(step(name, "already-armed", extra))
            return true
        }
        guard settings.supportsMagicPacket else {
            let supported = settings.supported.isEmpty ? "none" : settings.supported
            report(step(name, "unsupported", extra, detail: "\(name) supports Wake-on: \(supported), not g (magic packet)"))
            return false
        }

        let bridge = NetworkInterface.master(of: name)
        if let bridge {
            do {
                try runner.runChecked(.ip, ["link", "set", bridge, "down"])
                report(Step("bridge", name: bridge, result: "down"))
            } catch {
                report(Step("bridge", name: bridge, result: "failed", extra: ["detail": "down: \(error.message)"]))
                report(step(name, "failed", extra, detail: "not armed: bridge \(bridge) could not be taken down"))
                return false
            }
        }
        var armed: Bool
        do {
            try runner.runChecked(.ethtool, ["-s", name, "wol", "g"], privileged: true)
            report(step(name, "armed", extra))
            armed = true
        } catch {
            report(step(name, "failed", extra, detail: error.message))
            armed = false
        }
        if let bridge {
            do {
                try runner.runChecked(.ip, ["link", "set", bridge, "up"])
                report(Step("bridge", name: bridge, result: "up"))
            } catch {
                report(Step("bridge", name: bridge, result: "failed", extra: ["detail": "up: \(error.message)"]))
                log.error("bridge \(bridge) is still down after arming \(name): \(error.message)")
                armed = false
            }
        }
        return armed
    }

    private func read(_ interface: String) throws(AgentError) -> WakeOnLanSettings {
        let result = try runner.runChecked(.ethtool, [interface], privileged: false)
        return WakeOnLanSettings(ethtoolOutput: result.output)
    }

    private func step(_ name: String, _ result: String, _ extra: Fields, detail: String? = nil) -> Step {
        var fields = extra
        fields.set("detail", detail)
        return Step("wol", name: name, result: result, extra: fields)
    }
}
