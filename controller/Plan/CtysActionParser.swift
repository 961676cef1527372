import PMProtocol

/// Parses the ctys form's `-t TYPE -a ACTION=PARTS` into an `ActionPlan` (SEMANTICS.md).
///
/// Parts are `KEY` or `KEY:value`, separated by commas; keys are case-insensitive, values
/// keep their case. Every error names the part, its position and what was expected.
public enum CtysActionParser {
    /// - Parameters:
    ///   - type: the `-t` value (`pm`, `xen`, `xm`, `kvm`, `libvirt`, any case); nil means pm.
    ///   - action: the `-a` value, such as `cancel=1:tst100,POWEROFF:0`.
    public static func parse(type: String?, action: String) throws(PlanError) -> ActionPlan {
        let stackType = try parseType(type)
        let name: Substring
        let body: Substring
        if let equals = action.firstIndex(of: "=") {
            name = action[..<equals]
            body = action[action.index(after: equals)...]
        } else {
            name = Substring(action)
            body = ""
        }
        let parts = body.isEmpty ? [] : body.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        switch name.lowercased() {
        case "cancel": return .cancel(try parseCancel(parts, type: stackType))
        case "create": return try parseCreate(parts)
        default:
            throw PlanError("unknown action '\(name)' in -a '\(action)'; expected create=... or cancel=...")
        }
    }

    static func parseType(_ type: String?) throws(PlanError) -> CancelArguments.StackType {
        guard let type else { return .pm }
        guard let stackType = CancelArguments.StackType(spelling: type.lowercased()) else {
            throw PlanError("unknown -t '\(type)'; expected pm, xen, xm, kvm or libvirt (any case)")
        }
        return stackType
    }

    // MARK: - cancel

    static let cancelParts = [
        "LABEL:<text> (L:, 1:)", "ID:<guest> (I:)", "POWEROFF[:<delay>] (S5)", "REBOOT", "RESET", "INIT:<0-6>",
        "PAUSE (S3)", "SUSPEND (S4)", "STACK", "SELF", "FORCE", "WOL", "IF:<iface>", "BROADCAST:<addr>",
        "TIMEOUT:<s>", "ALL",
    ]

    static func parseCancel(_ parts: [String], type: CancelArguments.StackType) throws(PlanError) -> CancelArguments {
        var arguments = CancelArguments()
        arguments.type = type
        var methodPart: String?
        var stackPart: String?
        for (index, part) in parts.enumerated() {
            let where_ = "(at \(ordinal(index + 1)) part)"
            let (key, value) = split(part)
            func setMethod(_ method: CancelArguments.Method, delayAllowed: Bool = true) throws(PlanError) {
                if let methodPart {
                    throw PlanError("cancel part '\(part)' \(where_) is a second method after '\(methodPart)'; give exactly one of POWEROFF, REBOOT, RESET, INIT, PAUSE, SUSPEND")
                }
                methodPart = part
                arguments.method = method
                if let value {
                    guard delayAllowed else { return }
                    arguments.delay = try number(value, part: part, where_: where_, what: "a delay in seconds", in: 0...86_400)
                }
            }
            func noValue() throws(PlanError) {
                if value != nil { throw PlanError("cancel part '\(part)' \(where_) takes no value; write '\(key.uppercased())'") }
            }
            switch key.lowercased() {
            case "label", "l", "1":
                arguments.label = try label(value, part: part, where_: where_)
            case "id", "i":
                arguments.vm = try required(value, part: part, where_: where_, what: "a guest name", Patterns.isGuestName)
            case "tcp", "t", "mac", "m", "uuid", "u":
                throw PlanError("cancel part '\(part)' \(where_) selects nothing in cancel: name the execution host after the action, or one guest with I:<name>")
            case "poweroff", "s5": try setMethod(.poweroff)
            case "reboot": try setMethod(.reboot)
            case "reset": try setMethod(.reset)
            case "pause", "s3": try setMethod(.pause)
            case "suspend", "s4": try setMethod(.suspend)
            case "init":
                let level = try number(value ?? "", part: part, where_: where_, what: "a run level", in: 0...6)
                try setMethod(.initLevel(level), delayAllowed: false)
            case "stack":
                try noValue()
                stackPart = part
            case "self":
                try noValue()
                arguments.includeSelf = true
            case "force":
                try noValue()
                arguments.force = true
            case "wol":
                try noValue()
                arguments.wol = true
            case "all":
                try noValue()
            case "if":
                arguments.interface = try required(value, part: part, where_: where_, what: "an interface name", Patterns.isInterfaceName)
            case "broadcast", "b":
                arguments.broadcast = try required(value, part: part, where_: where_, what: "an IPv4 address or host name", Patterns.isHostName)
            case "timeout":
                arguments.guestTimeout = try number(value ?? "", part: part, where_: where_, what: "seconds", in: 0...3_600)
            default:
                throw PlanError("unknown cancel part '\(part)' \(where_); expected one of \(cancelParts.joined(separator: ", "))")
            }
        }
        if let stackPart, arguments.force {
            throw PlanError("cancel part '\(stackPart)' contradicts FORCE: FORCE takes the host down without its stack")
        }
        do { try validate(arguments) } catch {
            throw PlanError("cancel=\(parts.joined(separator: ",")): \(error.message)")
        }
        // FORCE acts at once (S9: "reboots lab01 at once") unless POWEROFF:<delay> says otherwise.
        if arguments.force, !(methodPart?.contains(":") ?? false) { arguments.delay = 0 }
        return arguments
    }

    /// Checks a cancel by the agent's own rules (WOL with REBOOT, one guest with SELF,
    /// ...), so the controller never sends what the agent would refuse. Both forms use it.
    public static func validate(_ arguments: CancelArguments) throws(PlanError) {
        do {
            _ = try CancelArguments(arguments.fields)
        } catch {
            throw PlanError(cancelWording(error))
        }
    }

    /// Puts an agent argument error into the ctys form's words.
    static func cancelWording(_ error: ArgumentError) -> String {
        switch error.key {
        case "wol": "WOL \(error.reason.replacingOccurrences(of: "arming WoL", with: "arming the NIC"))"
        case "if": "IF: needs WOL (it names the NIC to arm)"
        case "broadcast": "BROADCAST: needs WOL (it is the address to wake this host by)"
        case "vm": "I:<guest> selects one guest, so the host cannot act too: drop SELF, FORCE's host action or INIT"
        default: "\(error.key): \(error.reason)"
        }
    }

    // MARK: - create

    static let createParts = [
        "WOL[:<delay>]", "RESUME[:<delay>]", "TCP:<host> (T:)", "MAC:<mac> (M:)", "UUID:<uuid> (U:)", "ID:<name> (I:)",
        "LABEL:<text> (L:, 1:)", "BROADCAST:<addr>", "PORT:<n>", "BMAC:<mac>", "IF:<iface>", "SECUREON:<hex>",
        "PING:<n>%<sleep>", "SSHPING:<n>%<sleep>", "CONSOLE:<cli|xterm|gterm|emacs|vnc>", "CONNECT", "REUSE", "IPMI",
    ]

    static func parseCreate(_ parts: [String]) throws(PlanError) -> ActionPlan {
        var wake = WakePlan()
        var wol = false
        var ipmi = false
        var connect = false
        var bmac: MACAddress?
        var port: Int?
        for (index, part) in parts.enumerated() {
            let where_ = "(at \(ordinal(index + 1)) part)"
            let (key, value) = split(part)
            func noValue() throws(PlanError) {
                if value != nil { throw PlanError("create part '\(part)' \(where_) takes no value; write '\(key.uppercased())'") }
            }
            switch key.lowercased() {
            case "wol", "resume":
                wol = true
                if let value { wake.delay = try number(value, part: part, where_: where_, what: "a delay in seconds", in: 0...3_600) }
            case "tcp", "t":
                wake.target = try required(value, part: part, where_: where_, what: "a host name or IPv4 address", Patterns.isHostName)
            case "mac", "m": wake.mac = try mac(value, part: part, where_: where_)
            case "bmac": bmac = try mac(value, part: part, where_: where_)
            case "uuid", "u":
                wake.uuid = try required(value, part: part, where_: where_, what: "a UUID (hex digits and -)") { text in
                    (1...36).contains(text.count) && text.allSatisfy { $0.isHexDigit || $0 == "-" }
                }
            case "id", "i": wake.id = try required(value, part: part, where_: where_, what: "a guest name", Patterns.isGuestName)
            case "label", "l", "1": wake.label = try label(value, part: part, where_: where_)
            case "broadcast", "b":
                wake.broadcast = try required(value, part: part, where_: where_, what: "an IPv4 address or a name that resolves to one", Patterns.isHostName)
            case "port": port = try number(value ?? "", part: part, where_: where_, what: "a UDP port", in: 1...65_535)
            case "if": wake.interface = try required(value, part: part, where_: where_, what: "an interface name", Patterns.isInterfaceName)
            case "secureon":
                do { wake.secureOn = try SecureOnPassword(parsing: value ?? "") } catch {
                    throw PlanError("create part '\(part)' \(where_): \(error.description)")
                }
            case "ping": wake.ping = try polling(value, part: part, where_: where_)
            case "sshping": wake.sshPing = try polling(value, part: part, where_: where_)
            case "console":
                let text = value?.lowercased() ?? "cli"
                guard let kind = ConsoleKind(rawValue: text) else {
                    throw PlanError("create part '\(part)' \(where_): console kind must be CLI, XTERM, GTERM, EMACS or VNC")
                }
                wake.console = kind
            case "connect":
                try noValue()
                connect = true
            case "reuse":
                try noValue()
                wake.reuse = true
            case "ipmi":
                try noValue()
                ipmi = true
            default:
                throw PlanError("unknown create part '\(part)' \(where_); expected one of \(createParts.joined(separator: ", "))")
            }
        }
        if let port { wake.ports = [port] }
        if let bmac {
            guard wake.broadcast != nil else { throw PlanError("create part BMAC: applies with BROADCAST: (the MAC to wake at that address)") }
            guard wake.mac == nil || wake.mac == bmac else { throw PlanError("create parts M: and BMAC: name different MACs; give one") }
            wake.mac = bmac
        }
        if wol {
            if ipmi { throw PlanError("create=...: give WOL or IPMI, not both") }
            if connect { throw PlanError("create=...: CONNECT opens a console on a running machine; it does not go with WOL") }
            if wake.broadcast != nil, wake.interface != nil {
                throw PlanError("create=...: give BROADCAST: (UDP) or IF: (raw frame), not both")
            }
            return .wake(wake)
        }
        if ipmi { return .ipmi(.on, label: wake.label) }
        if wake.console != nil || connect || wake.reuse {
            return .console(ConsolePlan(kind: wake.console ?? .cli, label: wake.label, reuse: wake.reuse))
        }
        throw PlanError("create=\(parts.joined(separator: ",")) says nothing to do; give WOL (or RESUME), IPMI, CONSOLE:<kind> or CONNECT")
    }

    // MARK: - Values

    static func split(_ part: String) -> (String, String?) {
        guard let colon = part.firstIndex(of: ":") else { return (part, nil) }
        return (String(part[..<colon]), String(part[part.index(after: colon)...]))
    }

    static func label(_ value: String?, part: String, where_: String) throws(PlanError) -> String {
        try required(value, part: part, where_: where_, what: "a label (1-64 printable characters)") { text in
            (1...64).contains(text.utf8.count) && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        }
    }

    static func required(_ value: String?, part: String, where_: String, what: String,
                         _ isValid: (String) -> Bool) throws(PlanError) -> String {
        guard let value, !value.isEmpty else { throw PlanError("part '\(part)' \(where_) needs a value: \(what)") }
        guard isValid(value) else { throw PlanError("part '\(part)' \(where_): '\(value)' is not \(what)") }
        return value
    }

    static func number(_ text: String, part: String, where_: String, what: String, in range: ClosedRange<Int>) throws(PlanError) -> Int {
        guard let number = Patterns.decimal(text), range.contains(number) else {
            throw PlanError("part '\(part)' \(where_): expected \(what) from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }

    static func mac(_ value: String?, part: String, where_: String) throws(PlanError) -> MACAddress {
        do { return try MACAddress(parsing: value ?? "") } catch {
            throw PlanError("part '\(part)' \(where_): \(error.description)")
        }
    }

    static func polling(_ value: String?, part: String, where_: String) throws(PlanError) -> Polling {
        let pieces = (value ?? "").split(separator: "%", omittingEmptySubsequences: false).map(String.init)
        guard pieces.count == 2, let count = Patterns.decimal(pieces[0]), let interval = Patterns.decimal(pieces[1]),
              (1...1_000).contains(count), (1...600).contains(interval)
        else {
            throw PlanError("part '\(part)' \(where_): expected <count>%<seconds>, like 24%5")
        }
        return Polling(count: count, interval: interval)
    }

    /// 1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st.
    static func ordinal(_ number: Int) -> String {
        let suffix: String
        switch (number % 10, number % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(number)\(suffix)"
    }
}
