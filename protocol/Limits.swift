/// Hard limits of the line protocol.
public enum Limits {
    /// The longest line, in bytes, not counting the LF (and an optional CR before it).
    public static let maximumLineLength = 16_384
    /// The longest request id.
    public static let maximumIDLength = 32
    /// The longest key, verb or error code.
    public static let maximumWordLength = 32
    /// How many bytes of a failed tool's stderr an `ERR` line carries (its tail).
    public static let stderrTailLength = 1_024
}
