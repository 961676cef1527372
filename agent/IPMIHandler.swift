import PMProtocol

/// IPMI: one `ipmitool -I lanplus ... chassis power <command>` for the controller, against
/// a BMC that only this host's segment reaches. A fixed argument list (no shell); the
/// password goes to ipmitool on its standard input (`-f /dev/stdin`), so it is in no
/// argument list, no environment and no file. ipmitool over LAN needs no root, so this
/// runs as the agent's own user and the sudoers rules stay as they are.
///
/// `OK <id> power=on|off|unknown` (`unknown` for every command but `status`). A failed
/// ipmitool is `tool-failed` with its verbose output's tail, from which the controller tells
/// a refused login from a BMC that does not answer.
struct IPMIHandler: RequestHandler {
    var context: AgentContext
    var arguments: IPMIArguments

    /// Seconds ipmitool waits for each answer, and its retries.
    static let answerTimeout = 1, retries = 2

    func handle(id: String, reply: ReplyWriter) throws(AgentError) -> Completion {
        let argv = ["-I", "lanplus", "-H", arguments.address, "-p", String(arguments.port), "-U", arguments.user,
                    "-C", String(arguments.cipher), "-R", String(Self.retries), "-N", String(Self.answerTimeout),
                    // -v: the lines that tell a wrong password from a silent BMC.
                    "-v", "-f", "/dev/stdin", "chassis", "power", arguments.command]
        let limit = Double((Self.retries + 1) * Self.answerTimeout * 4 + 10)
        let result = try context.runner.run(.ipmitool, argv, privileged: false, input: Array((arguments.password + "\n").utf8),
                                            timeout: limit)
        guard result.exitCode == 0 else {
            throw .toolFailed("ipmitool", exit: String(result.exitCode), stderr: result.stdout + result.stderr,
                              "ipmitool chassis power \(arguments.command) against \(arguments.address):\(arguments.port) failed with exit code \(result.exitCode)")
        }
        context.log.info("BMC \(arguments.address):\(arguments.port): chassis power \(arguments.command) done")
        return Completion(["power": arguments.command == "status" ? Self.powerState(result.output) : "unknown"])
    }

    /// `Chassis Power is on` / `... off`; anything else is `unknown`.
    static func powerState(_ output: String) -> String {
        for line in output.split(separator: "\n") where line.hasPrefix("Chassis Power is ") {
            let state = line.dropFirst("Chassis Power is ".count).split(separator: " ").first.map(String.init) ?? ""
            return ["on", "off"].contains(state) ? state : "unknown"
        }
        return "unknown"
    }
}
