/// A journal write that went through but did not do what it must.
enum JournalWriteError: Error, CustomStringConvertible {
    /// The run's row for the host is missing (the run was not recorded at its start).
    case noHostRow(String)

    var description: String {
        switch self {
        case .noHostRow(let host): "no row for \(host) in this run"
        }
    }
}
