/// One line of the protocol, parsed.
///
/// ```
/// HELLO                 fields       agent → controller, once, first
/// REQ   <id> <verb>     fields       controller → agent
/// STEP  <id>            fields       agent → controller, one per step of the work
/// DATA  <id>            fields       agent → controller, one per record of a query
/// OK    <id>            fields       agent → controller, final: success
/// ERR   <id>|- <code>   fields       agent → controller, final: a typed error
/// ```
public struct Message: Equatable, Hashable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case hello = "HELLO"
        case request = "REQ"
        case step = "STEP"
        case data = "DATA"
        case ok = "OK"
        case error = "ERR"

        /// Whether the line carries a request id after the kind.
        var hasID: Bool { self != .hello }
        /// Whether the line carries a word (verb or error code) after the id.
        var hasWord: Bool { self == .request || self == .error }
        /// Whether this kind ends a request.
        public var isFinal: Bool { self == .ok || self == .error }
    }

    public var kind: Kind
    /// The request id; nil for `HELLO`, and for an `ERR` about a line whose id is unknown (`-`).
    public var id: String?
    /// The verb of a `REQ`, the error code of an `ERR`; nil otherwise.
    public var word: String?
    public var fields: Fields

    public init(kind: Kind, id: String?, word: String?, fields: Fields) {
        self.kind = kind
        self.id = id
        self.word = word
        self.fields = fields
    }

    public static func hello(_ fields: Fields) -> Message {
        Message(kind: .hello, id: nil, word: nil, fields: fields)
    }

    public static func request(id: String, verb: String, _ fields: Fields = Fields()) -> Message {
        Message(kind: .request, id: id, word: verb, fields: fields)
    }

    public static func step(id: String, _ fields: Fields) -> Message {
        Message(kind: .step, id: id, word: nil, fields: fields)
    }

    public static func data(id: String, _ fields: Fields) -> Message {
        Message(kind: .data, id: id, word: nil, fields: fields)
    }

    public static func ok(id: String, _ fields: Fields = Fields()) -> Message {
        Message(kind: .ok, id: id, word: nil, fields: fields)
    }

    /// An `ERR` line. `message` goes into `message=`, which every `ERR` should carry.
    public static func error(id: String?, _ code: ErrorCode, message: String, _ extra: Fields = Fields())
        -> Message
    {
        var fields = Fields()
        fields.set("message", message)
        for field in extra { fields[field.key] = field.value }
        return Message(kind: .error, id: id, word: code.rawValue, fields: fields)
    }

    /// The error code of an `ERR` line, when it is one this build knows.
    public var errorCode: ErrorCode? { kind == .error ? word.flatMap(ErrorCode.init(rawValue:)) : nil }
}
