import PMProtocol

/// Talks the line protocol with one agent over one link: reads the greeting, sends
/// requests with ids unique on the link, and turns what comes back into progress callbacks
/// and a final reply.
public final class AgentClient {
    public let hello: Hello
    private let link: any AgentLink
    private let interruption: Interruption?
    private var nextRequest = 1

    /// Waits at most this long per blocking wait, so Ctrl-C is seen quickly.
    static let slice = 0.1

    private init(link: any AgentLink, hello: Hello, interruption: Interruption?) {
        self.link = link
        self.hello = hello
        self.interruption = interruption
    }

    /// Reads and checks the greeting (`Hello` refuses another protocol major).
    public static func greet(over link: any AgentLink, deadline: Deadline,
                             interruption: Interruption? = nil) throws(AgentFailure) -> AgentClient {
        let first = try next(link, deadline: deadline, interruption: interruption, waitingFor: "the agent's greeting")
        do {
            return AgentClient(link: link, hello: try Hello(first), interruption: interruption)
        } catch {
            throw .greeting(error.description)
        }
    }

    /// Sends one request and waits for its final line; `progress` gets each `STEP` and
    /// `DATA` line as it comes.
    public func call(_ verb: Verb, _ fields: Fields = Fields(), deadline: Deadline,
                     progress: (Message) -> Void = { _ in }) throws(AgentFailure) -> AgentReply {
        let id = "r\(nextRequest)"
        nextRequest += 1
        do { try link.send(.request(id: id, verb: verb.rawValue, fields)) } catch { throw .link(error.message) }
        var steps: [Step] = []
        var records: [Fields] = []
        while true {
            let message = try Self.next(link, deadline: deadline, interruption: interruption, waitingFor: "the answer to \(verb.rawValue)")
            guard message.id == id || (message.kind == .error && message.id == nil) else {
                throw .protocolViolation("a \(message.kind.rawValue) line for request '\(message.id ?? "-")' while '\(id)' was open")
            }
            switch message.kind {
            case .step:
                guard let step = Step(message) else { throw .protocolViolation("a STEP line without step, name and result") }
                steps.append(step)
                progress(message)
            case .data:
                records.append(message.fields)
                progress(message)
            case .ok, .error:
                return AgentReply(steps: steps, records: records, final: message)
            case .hello, .request:
                throw .protocolViolation("a \(message.kind.rawValue) line in the middle of a request")
            }
        }
    }

    public func close() { link.close() }

    private static func next(_ link: any AgentLink, deadline: Deadline, interruption: Interruption?,
                             waitingFor what: String) throws(AgentFailure) -> Message {
        while true {
            if interruption?.isSet == true { throw .interrupted }
            let input: LinkInput
            do {
                input = try link.receive(until: interruption == nil ? deadline : deadline.earlier(.after(seconds: slice)))
            } catch {
                // Ctrl-C also stops the SSH work under the link: that is the interruption.
                if interruption?.isSet == true { throw .interrupted }
                throw .link(error.message)
            }
            switch input {
            case .message(let message): return message
            case .malformed(let error): throw .protocolViolation(error.description)
            case .closed:
                if interruption?.isSet == true { throw .interrupted }
                throw .closed("while waiting for \(what)")
            case .timedOut: if deadline.hasPassed { throw .timeout(what) }
            }
        }
    }
}
