/// One step of an action, as a `STEP` line reports it and a result's `steps` array lists it:
/// `STEP r1 step=vm name=tst100 result=shutdown elapsed_ms=840`.
public struct Step: Equatable, Sendable {
    /// What kind of step: `vm`, `wol`, `bridge`, `notice`, `host`, `confirm`, `wake`.
    public var step: String
    /// What it acted on: a guest, an interface, a bridge, a host.
    public var name: String
    /// How it ended; CONTRACT.md lists the results of each step.
    public var result: String
    /// Optional extras: `detail`, `elapsed_ms`, `broadcast`, ...
    public var extra: Fields

    public init(_ step: String, name: String, result: String, extra: Fields = Fields()) {
        self.step = step
        self.name = name
        self.result = result
        self.extra = extra
    }

    /// Reads a `STEP` line; nil if it lacks `step`, `name` or `result`.
    public init?(_ message: Message) {
        guard message.kind == .step,
              let step = message.fields.text("step"), let name = message.fields.text("name"),
              let result = message.fields.text("result")
        else { return nil }
        self.step = step
        self.name = name
        self.result = result
        extra = Fields(message.fields.all.filter { !["step", "name", "result"].contains($0.key) })
    }

    public func message(id: String) -> Message {
        var fields: Fields = ["step": step, "name": name, "result": result]
        for field in extra { fields[field.key] = field.value }
        return .step(id: id, fields)
    }
}
