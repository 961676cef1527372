import Foundation
import PMProtocol
import Yams

/// Reads and checks an inventory file (CONTRACT.md, "Inventory"). Every problem is an
/// `InventoryError` naming the file, the line and the key; the first one found is thrown.
///
/// It walks Yams' node tree (`Yams.compose`) rather than decoding into `Codable` types,
/// because only the nodes carry line numbers, and because unknown keys must be errors.
public struct InventoryLoader: Sendable {
    /// The name errors use for the file (the path as the user gave it).
    public var file: String

    public init(file: String) {
        self.file = file
    }

    /// Loads the file at `path`.
    public static func load(path: String) throws(InventoryError) -> Inventory {
        let loader = InventoryLoader(file: path)
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw InventoryError(file: path, line: 0, key: nil, "cannot be read: \(error.localizedDescription)")
        }
        return try loader.parse(text)
    }

    /// Parses inventory text; `file` names it in errors.
    public func parse(_ text: String) throws(InventoryError) -> Inventory {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error)
        } catch {
            throw InventoryError(file: file, line: 0, key: nil, "is not valid YAML: \(error)")
        }
        var inventory = Inventory(file: file)
        guard let root else { return inventory }
        let top = try pairs(root, key: nil)
        var groupNodes: [(name: String, key: Node, value: Node)] = []
        for (name, keyNode, value) in top {
            switch name {
            case "defaults": inventory.defaults = try defaults(value)
            case "hosts":
                for (hostName, hostKey, hostValue) in try pairs(value, key: "hosts") {
                    let names: [String]
                    do { names = try NodeSet.expand(hostName) } catch {
                        throw InventoryError(file: file, line: line(hostKey), key: hostName, "is not a host name or node set: \(error.reason)")
                    }
                    for expanded in names {
                        guard Patterns.isHostName(expanded) else {
                            throw InventoryError(file: file, line: line(hostKey), key: expanded,
                                                 "is not a host name (letters, digits and '-', separated by dots)")
                        }
                        guard inventory.hosts[expanded] == nil else {
                            throw InventoryError(file: file, line: line(hostKey), key: expanded, "is defined twice")
                        }
                        inventory.hosts[expanded] = try host(expanded, key: hostKey, value: hostValue, many: names.count > 1)
                        inventory.hostNames.append(expanded)
                    }
                }
            case "groups":
                groupNodes = try pairs(value, key: "groups")
            default:
                throw InventoryError(file: file, line: line(keyNode), key: name, "is not a known key here; expected defaults, hosts or groups")
            }
        }
        inventory.groups = try groups(groupNodes)
        try checkReferences(inventory)
        return inventory
    }

    // MARK: - Sections

    private func defaults(_ node: Node) throws(InventoryError) -> HostDefaults {
        var defaults = HostDefaults()
        for (name, keyNode, value) in try pairs(node, key: "defaults") {
            switch name {
            case "user": defaults.user = try userName(value, key: name)
            case "port": defaults.port = try integer(value, key: name, in: 1...65_535)
            case "identity": defaults.identity = try path(value, key: name)
            case "known_hosts": defaults.knownHosts = try path(value, key: name)
            default:
                throw InventoryError(file: file, line: line(keyNode), key: name,
                                     "is not a known key in defaults; expected user, port, identity or known_hosts")
            }
        }
        return defaults
    }

    private static let hostKeys = [
        "address", "user", "port", "identity", "known_hosts", "mac", "interface", "broadcast", "relay",
        "hypervisor", "vms", "ipmi", "console_user", "console_identity", "vnc_display",
    ]

    private func host(_ name: String, key: Node, value node: Node, many: Bool) throws(InventoryError) -> HostEntry {
        var entry = HostEntry(name: name)
        entry.line = line(key)
        if case .scalar(let scalar) = node, scalar.style == .plain, ["", "~", "null"].contains(scalar.string) {
            return entry  // `lab01:` alone: a host known by name only
        }
        for (field, keyNode, value) in try pairs(node, key: name) {
            switch field {
            case "address":
                entry.address = try hostName(value, key: field)
                if many {
                    throw InventoryError(file: file, line: line(keyNode), key: field,
                                         "cannot be shared by the hosts of node set '\(name)'; give each host its own entry")
                }
            case "user": entry.user = try userName(value, key: field)
            case "port": entry.port = try integer(value, key: field, in: 1...65_535)
            case "identity": entry.identity = try path(value, key: field)
            case "known_hosts": entry.knownHosts = try path(value, key: field)
            case "mac": entry.macs = try macs(value)
            case "interface":
                entry.interface = try checked(value, key: field, expected: "an interface name like eth0 (1-15 of letters, digits, _ . : @ -)",
                                              Patterns.isInterfaceName)
            case "broadcast": entry.broadcast = try hostName(value, key: field)
            case "relay": entry.relay = try hostName(value, key: field)
            case "hypervisor":
                let text = try string(value, key: field)
                guard let hypervisor = Hypervisor(rawValue: text) else {
                    throw InventoryError(file: file, line: line(value), key: field, "must be libvirt, xen, xm or none, got '\(text)'")
                }
                entry.hypervisor = hypervisor
            case "vms":
                entry.vms = try list(value, key: field).map { item throws(InventoryError) in
                    try checked(item, key: field, expected: "a guest name (1-64 of letters, digits, _ . + -)", Patterns.isGuestName)
                }
                if let duplicate = firstDuplicate(entry.vms) {
                    throw InventoryError(file: file, line: line(value), key: field, "names guest '\(duplicate)' twice")
                }
            case "ipmi": entry.ipmi = try ipmi(value)
            case "console_user": entry.consoleUser = try userName(value, key: field)
            case "console_identity": entry.consoleIdentity = try path(value, key: field)
            case "vnc_display": entry.vncDisplay = try integer(value, key: field, in: 0...(65_535 - 5_900))
            default:
                throw InventoryError(file: file, line: line(keyNode), key: field,
                                     "is not a known host key; expected one of \(Self.hostKeys.joined(separator: ", "))")
            }
        }
        return entry
    }

    private func ipmi(_ node: Node) throws(InventoryError) -> IPMIEntry {
        var address: String?
        var entry = IPMIEntry(address: "")
        for (field, keyNode, value) in try pairs(node, key: "ipmi") {
            switch field {
            case "address": address = try hostName(value, key: field)
            case "port": entry.port = try integer(value, key: field, in: 1...65_535)
            case "user":
                // The pattern the ipmi verb enforces: caught here with file and line, not at a relay mid-run.
                entry.user = try checked(value, key: field, expected: "1-16 of A-Z a-z 0-9 _ . @ -, first a letter or digit") {
                    IPMIArguments.userName($0) != nil
                }
            case "password_file": entry.passwordFile = try path(value, key: field)
            case "cipher": entry.cipher = try integer(value, key: field, in: 0...17)
            case "relay": entry.relay = try hostName(value, key: field)
            case "password":
                throw InventoryError(file: file, line: line(keyNode), key: field,
                                     "is not allowed: keep the password in a file and name it with password_file")
            default:
                throw InventoryError(file: file, line: line(keyNode), key: field,
                                     "is not a known ipmi key; expected address, port, user, password_file, cipher or relay")
            }
        }
        guard let address else { throw InventoryError(file: file, line: line(node), key: "ipmi", "needs an address") }
        entry.address = address
        return entry
    }

    private func macs(_ node: Node) throws(InventoryError) -> [MACAddress] {
        let items: [Node]
        if case .sequence = node { items = try list(node, key: "mac") } else { items = [node] }
        var macs: [MACAddress] = []
        for item in items {
            let text = try string(item, key: "mac")
            do { macs.append(try MACAddress(parsing: text)) } catch {
                throw InventoryError(file: file, line: line(item), key: "mac",
                                     "must look like 02:77:00:00:00:05, got '\(text)' (\(error.reason))")
            }
        }
        guard !macs.isEmpty else { throw InventoryError(file: file, line: line(node), key: "mac", "is an empty list") }
        return macs
    }

    private func groups(_ nodes: [(name: String, key: Node, value: Node)]) throws(InventoryError) -> [String: [String]] {
        var raw: [String: (line: Int, members: [(String, Int)])] = [:]
        for (name, keyNode, value) in nodes {
            guard Patterns.isGuestName(name) else {
                throw InventoryError(file: file, line: line(keyNode), key: name, "is not a group name (letters, digits, _ . + -)")
            }
            let members = try list(value, key: name).map { item throws(InventoryError) in (try string(item, key: name), line(item)) }
            raw[name] = (line(keyNode), members)
        }
        var resolved: [String: [String]] = [:]
        func resolve(_ name: String, chain: [String]) throws(InventoryError) -> [String] {
            if let done = resolved[name] { return done }
            guard let group = raw[name] else { return [] }
            var names: [String] = []
            for (member, memberLine) in group.members {
                if member.hasPrefix("@") {
                    let inner = String(member.dropFirst())
                    guard raw[inner] != nil else {
                        throw InventoryError(file: file, line: memberLine, key: name, "refers to group '@\(inner)', which is not defined")
                    }
                    guard !chain.contains(inner) else {
                        throw InventoryError(file: file, line: memberLine, key: name,
                                             "includes itself through \((chain + [inner]).map { "@" + $0 }.joined(separator: " -> "))")
                    }
                    names += try resolve(inner, chain: chain + [inner])
                    continue
                }
                let expanded: [String]
                do { expanded = try NodeSet.expand(member) } catch {
                    throw InventoryError(file: file, line: memberLine, key: name, "member '\(member)': \(error.reason)")
                }
                for host in expanded where !Patterns.isHostName(host) {
                    throw InventoryError(file: file, line: memberLine, key: name, "member '\(host)' is not a host name")
                }
                names += expanded
            }
            var seen: Set<String> = []
            let unique = names.filter { seen.insert($0).inserted }
            resolved[name] = unique
            return unique
        }
        for (name, _, _) in nodes { _ = try resolve(name, chain: [name]) }
        return resolved
    }

    /// Relays and guests that name inventory hosts must not loop back on themselves.
    private func checkReferences(_ inventory: Inventory) throws(InventoryError) {
        for name in inventory.hostNames {
            guard let entry = inventory.hosts[name] else { continue }
            if entry.relay == name {
                throw InventoryError(file: file, line: entry.line, key: "relay", "of '\(name)' is the host itself; a sleeping host cannot send its own magic packet")
            }
            // A host reachable from itself through `vms` would be cancelled before itself.
            var stack = entry.vms.map { [name, $0] }
            var seen: Set<String> = []
            while let path = stack.popLast() {
                let guest = path[path.count - 1]
                if guest == name {
                    throw InventoryError(file: file, line: entry.line, key: "vms",
                                         "of '\(name)' loop back to it: \(path.joined(separator: " -> "))")
                }
                guard seen.insert(guest).inserted, let guestEntry = inventory.hosts[guest] else { continue }
                stack += guestEntry.vms.map { path + [$0] }
            }
        }
    }

    // MARK: - Typed values

    private func pairs(_ node: Node, key: String?) throws(InventoryError) -> [(String, Node, Node)] {
        guard case .mapping(let mapping) = node else {
            throw InventoryError(file: file, line: line(node), key: key, "must be a mapping of key: value, got \(kind(node))")
        }
        var result: [(String, Node, Node)] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw InventoryError(file: file, line: line(keyNode), key: key, "has a key that is not plain text")
            }
            guard seen.insert(scalar.string).inserted else {
                throw InventoryError(file: file, line: line(keyNode), key: scalar.string, "appears twice")
            }
            result.append((scalar.string, keyNode, value))
        }
        return result
    }

    private func list(_ node: Node, key: String) throws(InventoryError) -> [Node] {
        guard case .sequence(let sequence) = node else {
            throw InventoryError(file: file, line: line(node), key: key, "must be a list like [a, b], got \(kind(node))")
        }
        return Array(sequence)
    }

    private func string(_ node: Node, key: String) throws(InventoryError) -> String {
        guard case .scalar(let scalar) = node else {
            throw InventoryError(file: file, line: line(node), key: key, "must be a single value, got \(kind(node))")
        }
        guard !scalar.string.isEmpty, !(scalar.style == .plain && ["~", "null"].contains(scalar.string)) else {
            throw InventoryError(file: file, line: line(node), key: key, "must not be empty")
        }
        return scalar.string
    }

    private func integer(_ node: Node, key: String, in range: ClosedRange<Int>) throws(InventoryError) -> Int {
        let text = try string(node, key: key)
        guard case .scalar(let scalar) = node, scalar.style == .plain, let number = Patterns.decimal(text), range.contains(number) else {
            throw InventoryError(file: file, line: line(node), key: key,
                                 "must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }

    private func checked(_ node: Node, key: String, expected: String, _ isValid: (String) -> Bool) throws(InventoryError) -> String {
        let text = try string(node, key: key)
        guard isValid(text) else {
            throw InventoryError(file: file, line: line(node), key: key, "must be \(expected), got '\(text)'")
        }
        return text
    }

    private func hostName(_ node: Node, key: String) throws(InventoryError) -> String {
        try checked(node, key: key, expected: "a host name or IPv4 address", Patterns.isHostName)
    }

    private func userName(_ node: Node, key: String) throws(InventoryError) -> String {
        try checked(node, key: key, expected: "a login name (letters, digits, _ . -, not starting with -)") { text in
            (1...32).contains(text.utf8.count) && !text.hasPrefix("-")
                && text.utf8.allSatisfy { $0 < 0x80 && (Character(Unicode.Scalar($0)).isLetter || Character(Unicode.Scalar($0)).isNumber || "_.-".utf8.contains($0)) }
        }
    }

    private func path(_ node: Node, key: String) throws(InventoryError) -> String {
        try checked(node, key: key, expected: "an absolute path or one starting with ~/") { text in
            (text.hasPrefix("/") || text.hasPrefix("~/")) && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        }
    }

    private func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    private func kind(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private func firstDuplicate(_ items: [String]) -> String? {
        var seen: Set<String> = []
        return items.first { !seen.insert($0).inserted }
    }

    private func yamlError(_ error: YamlError) -> InventoryError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return InventoryError(file: file, line: mark.line, key: nil, "is not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return InventoryError(file: file, line: context.mark.line, key: duplicates.first,
                                  "appears twice in one mapping (first here)")
        default:
            return InventoryError(file: file, line: 0, key: nil, "is not valid YAML: \(error)")
        }
    }
}
