extension Duration {
    /// Whole milliseconds, as results report `elapsed_ms`.
    var wholeMilliseconds: Int {
        Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    }
}
