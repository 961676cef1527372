/// The kinds of console `CONSOLE:<kind>` opens (SEMANTICS.md, "CREATE").
public enum ConsoleKind: String, CaseIterable, Sendable {
    case cli, xterm, gterm, emacs, vnc
}
