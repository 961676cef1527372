/// The pseudo-terminal a shell channel asks for.
public struct PTYRequest: Sendable, Equatable {
    /// The remote `TERM`, such as `xterm-256color`.
    public var term: String
    public var columns: Int
    public var rows: Int

    /// - Throws: `SSHError.invalidTarget` for an empty or odd `TERM` or a size out of range.
    public init(term: String, columns: Int, rows: Int) throws(SSHError) {
        let allowed = term.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "+")
        }
        guard !term.isEmpty, term.utf8.count <= 64, allowed else {
            throw .invalidTarget("TERM '\(term)' must be 1 to 64 letters, digits, '-', '_', '.', '+'")
        }
        guard (1...10_000).contains(columns), (1...10_000).contains(rows) else {
            throw .invalidTarget("terminal size \(columns)x\(rows) is out of range")
        }
        self.term = term
        self.columns = columns
        self.rows = rows
    }
}
