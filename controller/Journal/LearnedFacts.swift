import Foundation
import GRDB
import PMProtocol

/// What `pmctl learn` found out about hosts while they were up (MACs, interfaces, the
/// segment's broadcast), kept in the journal's database rather than the user's YAML, so
/// a host that is off can be woken by name.
public struct LearnedFacts: Sendable {
    let database: JournalDatabase

    public init(database: JournalDatabase) {
        self.database = database
    }

    public struct Facts: Equatable, Sendable {
        public var macs: [MACAddress]
        /// `name=mac` per interface.
        public var interfaces: [String]
        public var broadcast: String?
        public var address: String?
        public var boot: String?
    }

    /// Reads an INFO answer: its `record=iface` DATA lines (loopback and MAC-less ones
    /// skipped) and its final fields.
    public static func facts(fromInfo records: [Fields], final: Fields, address: String?) -> Facts {
        var macs: [MACAddress] = []
        var interfaces: [String] = []
        var broadcast: String?
        for record in records where record.text("record") == "iface" {
            guard let name = record.text("name"), name != "lo",
                  let mac = record.text("mac").flatMap({ try? MACAddress(parsing: $0) }) else { continue }
            macs.append(mac)
            interfaces.append("\(name)=\(mac)")
            if broadcast == nil, let cidr = record.text("ipv4")?.split(separator: ",").first {
                broadcast = Self.broadcast(of: String(cidr))
            }
        }
        return Facts(macs: macs, interfaces: interfaces, broadcast: broadcast, address: address, boot: final.text("boot"))
    }

    /// `10.77.1.11/24` → `10.77.1.255`.
    static func broadcast(of cidr: String) -> String? {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let bytes = Patterns.ipv4Bytes(String(parts[0])), let prefix = Int(parts[1]), (0...32).contains(prefix)
        else { return nil }
        let address = bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
        let value = address | ~mask
        return (0..<4).map { String(value >> UInt32(24 - 8 * $0) & 0xFF) }.joined(separator: ".")
    }

    public func store(_ facts: Facts, for host: String) throws {
        try database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO fact (host, macs, interfaces, broadcast, address, boot, updated) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(host) DO UPDATE SET macs = excluded.macs, interfaces = excluded.interfaces,
                    broadcast = excluded.broadcast, address = excluded.address, boot = excluded.boot, updated = excluded.updated
                """, arguments: [host, facts.macs.map(\.description).joined(separator: ","), facts.interfaces.joined(separator: ","),
                                 facts.broadcast, facts.address, facts.boot, JournalDatabase.timestamp()])
        }
    }

    /// Keeps `address` as the broadcast to wake `host` by (CANCEL's `WOL,BROADCAST:`).
    public func storeWakeBroadcast(_ address: String, for host: String) throws {
        try database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO fact (host, broadcast, updated) VALUES (?, ?, ?)
                ON CONFLICT(host) DO UPDATE SET broadcast = excluded.broadcast, updated = excluded.updated
                """, arguments: [host, address, JournalDatabase.timestamp()])
        }
    }

    public func facts(of host: String) -> Facts? {
        try? database.pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM fact WHERE host = ?", arguments: [host]) else { return nil }
            let macs = ((row["macs"] as String?) ?? "").split(separator: ",").compactMap { try? MACAddress(parsing: String($0)) }
            let interfaces = ((row["interfaces"] as String?) ?? "").split(separator: ",").map(String.init)
            return Facts(macs: macs, interfaces: interfaces, broadcast: row["broadcast"], address: row["address"], boot: row["boot"])
        }
    }

    public func macs(of host: String) -> [MACAddress] { facts(of: host)?.macs ?? [] }
}
