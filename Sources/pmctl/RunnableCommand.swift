/// A subcommand that does something. main.swift calls this rather than ArgumentParser's
/// `run()`, whose sync and async overloads do not dispatch reliably through an existential.
protocol RunnableCommand {
    func execute() async throws
}
