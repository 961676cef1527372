/// What a `PortForward` has libssh2 opening: libssh2 runs one channel open at a time per
/// session and a later open call continues the one in progress, so a tunnel and a drain
/// must never overlap.
enum OpeningSlot {
    case none
    /// A tunnel for the first waiting client (a later one gets it if that client gave up).
    case tunnel
    /// A refused open whose only purpose is to read what the server sent.
    case drain
}
