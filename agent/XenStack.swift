import PMProtocol

/// The guests of a Xen host through `xl` (or `xm` on old Xen), parsed from `list` output.
/// Xen lists only existing domains: a guest that shut down disappears from the list.
final class XenStack: Hypervisor {
    let kind = "xen"
    /// `.xl` or `.xm`: the two take the same subcommands.
    let tool: Tool
    private let runner: ToolRunner

    init(tool: Tool, runner: ToolRunner) {
        precondition(tool == .xl || tool == .xm)
        self.tool = tool
        self.runner = runner
    }

    func guests() throws(AgentError) -> [Guest] {
        let result = try runner.runChecked(tool, ["list"])
        return Self.parseList(result.output)
    }

    func shutdown(_ name: String) throws(AgentError) { try runner.runChecked(tool, ["shutdown", name]) }
    func reboot(_ name: String) throws(AgentError) { try runner.runChecked(tool, ["reboot", name]) }
    func destroy(_ name: String) throws(AgentError) { try runner.runChecked(tool, ["destroy", name]) }

    /// Reads `xl list` / `xm list`:
    /// ```
    /// Name                                        ID   Mem VCPUs      State   Time(s)
    /// Domain-0                                     0  1024     4     r-----      67.2
    /// tst100                                       3   512     1     -b----       1.5
    /// ```
    /// Domain-0 (the host itself) is not a guest. Lines that do not have the six columns
    /// with a numeric id are skipped, so a warning printed by the tool is not a guest; so is
    /// a name that breaks the guest-name pattern (it would reach `xl shutdown NAME` as an
    /// option, say `-F`).
    static func parseList(_ output: String) -> [Guest] {
        var guests: [Guest] = []
        for line in output.split(separator: "\n") {
            let columns = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard columns.count >= 6, columns[0] != "Name", columns[0] != "Domain-0",
                  Int(columns[1]) != nil, Int(columns[2]) != nil, Patterns.isGuestName(String(columns[0]))
            else { continue }
            guests.append(Guest(name: String(columns[0]), state: stateName(String(columns[4])), isActive: true))
        }
        return guests
    }

    /// The first state letter that is set: r running, b blocked, p paused, s shutdown, c crashed, d dying.
    static func stateName(_ flags: String) -> String {
        for letter in flags where letter != "-" {
            switch letter {
            case "r": return "running"
            case "b": return "blocked"
            case "p": return "paused"
            case "s": return "shutdown"
            case "c": return "crashed"
            case "d": return "dying"
            default: continue
            }
        }
        return "idle"
    }
}
