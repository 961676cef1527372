/// The arguments of `REQ <id> cancel ...`, parsed and checked, and what they mean
/// (SEMANTICS.md, "CANCEL").
///
/// Wire keys: `method` (poweroff|reboot|reset|init|pause|suspend, default poweroff),
/// `level` (0-6, with init only), `delay` (0-86400 s, default 30, 0 with force), `self`, `force`, `wol`
/// (yes|no, default no), `if` (interface, with wol), `broadcast` (with wol), `timeout`
/// (0-3600 s a guest gets, default 20), `type` (pm|xen|xm|libvirt|kvm, default pm), `vm`
/// (one guest), `label` (display only), `handled` (guests the controller already
/// cancelled through their own agents, comma-separated).
public struct CancelArguments: Equatable, Sendable {
    public enum Method: Equatable, Sendable, CustomStringConvertible {
        case poweroff, reboot, reset, pause, suspend
        case initLevel(Int)

        public var description: String {
            switch self {
            case .poweroff: "poweroff"
            case .reboot: "reboot"
            case .reset: "reset"
            case .pause: "pause"
            case .suspend: "suspend"
            case .initLevel(let level): "init:\(level)"
            }
        }

        var isReboot: Bool { self == .reboot || self == .reset || self == .initLevel(6) }
    }

    /// Which hypervisor tools make up the stack.
    public enum StackType: String, CaseIterable, Sendable {
        /// Every hypervisor found on the host.
        case pm
        /// Xen through `xl`, else `xm`.
        case xen
        /// Xen through `xm` only (old Xen).
        case xm
        /// libvirt (also spelled `kvm`).
        case libvirt

        public init?(spelling: String) {
            if spelling == "kvm" { self = .libvirt } else { self.init(rawValue: spelling) }
        }
    }

    /// What the guests get.
    public enum GuestAction: Equatable, Sendable {
        case shutdown, reboot
        /// `init:1-5`: guests are left alone.
        case leave
        /// FORCE on the host: guests are not touched and die with it.
        case abandon
        /// FORCE with one guest selected (`vm`): that guest is destroyed.
        case destroy
    }

    public var method: Method = .poweroff
    public var delay: Int = 30
    /// SELF as given; see `hostActs` for what it amounts to.
    public var includeSelf = false
    public var force = false
    public var wol = false
    public var interface: String?
    public var broadcast: String?
    public var guestTimeout = 20
    public var type: StackType = .pm
    public var vm: String?
    public var label: String?
    public var handled: [String] = []

    public init() {}

    /// Whether the execution host itself acts (after its stack): SELF, or implied by
    /// INIT, and by FORCE unless FORCE only picks how one selected guest (`vm`) dies.
    public var hostActs: Bool {
        if case .initLevel = method { return true }
        return includeSelf || (force && vm == nil)
    }

    public var guestAction: GuestAction {
        if force { return vm == nil ? .abandon : .destroy }
        switch method {
        case .poweroff, .pause, .suspend, .initLevel(0), .initLevel(6): return .shutdown
        case .reboot, .reset: return hostActs ? .shutdown : .reboot
        case .initLevel: return .leave
        }
    }

    /// Parses and checks a request's fields; the first problem is thrown, naming its key.
    public init(_ fields: Fields) throws(ArgumentError) {
        var reader = ArgumentReader(fields)
        let methodName = try reader.text("method") ?? "poweroff"
        let level = try reader.integer("level", in: 0...6)
        switch methodName {
        case "poweroff": method = .poweroff
        case "reboot": method = .reboot
        case "reset": method = .reset
        case "pause": method = .pause
        case "suspend": method = .suspend
        case "init":
            guard let level else { throw ArgumentError(key: "level", "method init needs a run level 0-6") }
            method = .initLevel(level)
        default:
            throw ArgumentError(key: "method", "must be poweroff, reboot, reset, init, pause or suspend, got '\(methodName)'")
        }
        if level != nil, methodName != "init" { throw ArgumentError(key: "level", "applies to method init only") }

        includeSelf = try reader.flag("self")
        force = try reader.flag("force")
        // FORCE means at once (SEMANTICS.md: S9 reboots "at once"), unless a delay is given.
        delay = try reader.integer("delay", in: 0...86_400) ?? (force ? 0 : 30)
        wol = try reader.flag("wol")
        interface = try reader.value("if", expected: "an interface name", { Patterns.isInterfaceName($0) ? $0 : nil })
        broadcast = try reader.value("broadcast", expected: "an IPv4 address or a host name", { Patterns.isHostName($0) ? $0 : nil })
        guestTimeout = try reader.integer("timeout", in: 0...3_600) ?? 20
        type = try reader.value("type", expected: "pm, xen, xm, libvirt or kvm", StackType.init(spelling:)) ?? .pm
        vm = try reader.value("vm", expected: "a guest name (letters, digits, _ . + -)", { Patterns.isGuestName($0) ? $0 : nil })
        label = try reader.text("label", maximumLength: 64)
        handled = try reader.value("handled", expected: "guest names separated by commas", { text in
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return names.allSatisfy(Patterns.isGuestName) ? names : nil
        }) ?? []
        try reader.finish()

        if wol {
            switch method {
            case .reboot, .reset, .initLevel(1...6):
                throw ArgumentError(key: "wol", "arming WoL makes no sense with \(method): the host does not go down")
            default: break
            }
        } else {
            if interface != nil { throw ArgumentError(key: "if", "applies only with wol=yes") }
            if broadcast != nil { throw ArgumentError(key: "broadcast", "applies only with wol=yes") }
        }
        if vm != nil, hostActs {
            throw ArgumentError(key: "vm", "one guest is selected, so the host cannot act too (no self, and no init)")
        }
    }

    /// The request's fields in canonical order, defaults written out.
    public var fields: Fields {
        var fields = Fields()
        switch method {
        case .initLevel(let level):
            fields.set("method", "init")
            fields.set("level", String(level))
        default:
            fields.set("method", method.description)
        }
        fields.set("delay", String(delay))
        fields.set("self", includeSelf ? "yes" : "no")
        fields.set("force", force ? "yes" : "no")
        fields.set("wol", wol ? "yes" : "no")
        fields.set("if", interface)
        fields.set("broadcast", broadcast)
        fields.set("timeout", String(guestTimeout))
        fields.set("type", type.rawValue)
        fields.set("vm", vm)
        fields.set("label", label)
        fields.set("handled", handled.isEmpty ? nil : handled.joined(separator: ","))
        return fields
    }
}
