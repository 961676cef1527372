/// Puts pmctl's argv in the shape ArgumentParser reads: global options may come before the
/// subcommand (CONTRACT.md), and the ctys form (`pmctl -t pm -a cancel=... lab01`) has no
/// subcommand at all, so it gets the hidden `ctys` one.
enum CommandLineShape {
    static let subcommands: Set<String> = Set(PMCtl.configuration.subcommands.map { $0._commandName } + ["help"])

    /// Options whose value is the next word.
    static let valueOptions: Set<String> = [
        "--inventory", "--identity", "--known-hosts", "--user", "--port", "--fanout", "--connect-timeout", "--timeout",
        "--state", "--confirm-above", "--confirm-timeout", "--agent-process", "--agent-arg", "-t", "-a", "--type", "--action",
    ]

    static func shape(_ arguments: [String]) -> [String] {
        var index = 0
        var leading: [String] = []
        while index < arguments.count, arguments[index].hasPrefix("-"), arguments[index] != "--" {
            leading.append(arguments[index])
            if valueOptions.contains(arguments[index]), index + 1 < arguments.count {
                leading.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        if index < arguments.count, subcommands.contains(arguments[index]) {
            // A nested command (`agent install`) takes the options after its own name.
            let nested = PMCtl.configuration.subcommands.first { $0._commandName == arguments[index] }
                .map { Set($0.configuration.subcommands.map { $0._commandName }) } ?? []
            if index + 1 < arguments.count, nested.contains(arguments[index + 1]) {
                return [arguments[index], arguments[index + 1]] + leading + arguments[(index + 2)...]
            }
            return [arguments[index]] + leading + arguments[(index + 1)...]
        }
        let isCtysForm = arguments.contains { $0 == "-a" || $0 == "--action" || $0.hasPrefix("-a=") || $0.hasPrefix("--action=") }
        return isCtysForm ? ["ctys"] + arguments : arguments
    }
}
