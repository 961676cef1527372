/// The options of a run that are not part of its plan but change what it does to a host,
/// kept in the journal so that `pmctl retry` does the same: `--ipmi-fallback` and
/// `--bmc-interval`.
public struct RunSettings: Equatable, Sendable {
    public var ipmiFallback: Bool
    public var bmcInterval: Double

    public init(ipmiFallback: Bool = false, bmcInterval: Double = 5) {
        self.ipmiFallback = ipmiFallback
        self.bmcInterval = bmcInterval
    }

    /// `ipmi-fallback=yes bmc-interval=5`.
    public var journalForm: String {
        "ipmi-fallback=\(ipmiFallback ? "yes" : "no") bmc-interval=\(bmcInterval)"
    }

    /// Reads `journalForm` back; what is missing (older runs) keeps its default.
    public init(journalForm: String) {
        self.init()
        for part in journalForm.split(separator: " ") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "ipmi-fallback": ipmiFallback = pair[1] == "yes"
            case "bmc-interval": bmcInterval = Double(pair[1]) ?? bmcInterval
            default: continue
            }
        }
    }
}
