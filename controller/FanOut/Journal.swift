/// Where a run is recorded before and after each host, so a crash or Ctrl-C loses
/// nothing and `pmctl history` / `retry --failed` can read it back. The SQLite journal
/// comes in a later issue; until then `NoJournal` stands in.
public protocol Journal: EventHandler {}

/// Records nothing.
public final class NoJournal: Journal {
    public init() {}
}
