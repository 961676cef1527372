#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PMProtocol

/// The serve loop (`pmagent serve`): greet, then answer requests from `input` one at a
/// time, in order, each with zero or more `STEP`/`DATA` lines and exactly one `OK`/`ERR`.
/// Bad lines get a typed error and the loop goes on; EOF ends it. A CANCEL whose host acts
/// ends it too: the reply is sent, the output closed, the action detached.
///
/// States and their transitions, all in `run()`:
/// ```
/// greeting ──HELLO sent──> serving ──EOF──> finished
///                             │  └─request done──> serving
///                             └─host action accepted──> handingOver ──OK sent, output closed, child started──> finished
/// ```
public final class AgentSession {
    enum State {
        case greeting
        case serving
        case handingOver(requestID: String, Completion)
        case finished
    }

    private let context: AgentContext
    private let input: Int32
    private let writer: ReplyWriter
    private var splitter = LineSplitter()
    private(set) var state: State = .greeting

    public init(configuration: AgentConfiguration, log: AgentLog, input: Int32 = 0, output: Int32 = 1) {
        context = AgentContext(configuration: configuration, log: log)
        self.input = input
        writer = ReplyWriter(fd: output, log: log)
    }

    /// Serves until EOF on the input, or until a host action was handed over.
    public func run() {
        // A controller that hangs up must give EPIPE on the next write, not kill the agent
        // in the middle of a guest shutdown.
        signal(SIGPIPE, SIG_IGN)
        while true {
            switch state {
            case .greeting:
                writer.send(Hello(agentVersion: AgentVersion.current, host: context.facts.hostName,
                                  capabilities: Verb.allCases.map(\.rawValue)).message)
                state = .serving
            case .serving:
                state = serveNextChunk()
            case .handingOver(let id, let completion):
                handOver(id: id, completion)
                state = .finished
            case .finished:
                return
            }
        }
    }

    /// Reads what is available and answers every complete line in it.
    private func serveNextChunk() -> State {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { return .serving }
        if count <= 0 {
            if let rest = splitter.unterminated {
                let id = LineCodec.requestID(inPrefixOf: rest + [UInt8(ascii: " ")])
                writer.send(.error(id: id, .badLine, message: "the input ended inside a line (no LF after its last bytes)",
                                   ["problem": "unterminated"]))
            }
            context.log.debug("end of input: done")
            return .finished
        }
        for event in splitter.feed(chunk[0..<count]) {
            let next = answer(event)
            if case .handingOver = next { return next }
        }
        return .serving
    }

    /// Answers one line; what follows is `.serving`, or `.handingOver` after an accepted host action.
    private func answer(_ event: LineSplitter.Event) -> State {
        let line: [UInt8]
        switch event {
        case .overlong(let prefix):
            let id = LineCodec.requestID(inPrefixOf: prefix)
            writer.send(.error(id: id, .lineTooLong, message: "line longer than \(Limits.maximumLineLength) bytes; discarded",
                               ["problem": DecodeError.Problem.tooLong.rawValue]))
            return .serving
        case .line(let bytes):
            line = bytes
        }

        let message: Message
        do {
            guard let decoded = try LineCodec.decode(line) else { return .serving }  // keepalive
            message = decoded
        } catch {
            context.log.warning("bad line: \(error)")
            writer.send(error.reply)
            return .serving
        }
        guard message.kind == .request, let id = message.id, let word = message.word else {
            writer.send(.error(id: message.id, .badLine, message: "the agent accepts only REQ lines, got \(message.kind.rawValue)",
                               ["problem": DecodeError.Problem.unknownKind.rawValue]))
            return .serving
        }
        // The one place a request line becomes a typed request (the controller builds its
        // lines from the same type): an unknown verb or a bad argument ends here, before
        // any handler runs.
        let request: Request
        do {
            request = try Request(verb: word, fields: message.fields)
        } catch {
            context.log.warning("\(word) \(id): \(error)")
            writer.send(error.reply(to: id))
            return .serving
        }

        do {
            let completion = try handler(for: request).handle(id: id, reply: writer)
            if completion.hostAction != nil { return .handingOver(requestID: id, completion) }
            writer.send(.ok(id: id, completion.fields))
        } catch {
            context.log.warning("\(word) \(id): \(error)")
            writer.send(error.reply(to: id))
        }
        return .serving
    }

    private func handler(for request: Request) -> any RequestHandler {
        switch request {
        case .ping: PingHandler(context: context)
        case .info: InfoHandler(context: context)
        case .check: CheckHandler(context: context)
        case .cancel(let arguments): CancelHandler(context: context, arguments: arguments)
        case .wake(let arguments): WakeHandler(context: context, arguments: arguments)
        case .ipmi(let arguments): IPMIHandler(context: context, arguments: arguments)
        }
    }

    /// Starts the detached action first (so a failure to start it can still be reported),
    /// then sends the final line and closes the output: the child sleeps at least a second
    /// before acting, time enough for sshd to deliver the result.
    private func handOver(id: String, _ completion: Completion) {
        guard let action = completion.hostAction else { return }
        do {
            _ = try DetachedHostAction.launch(action, log: context.log)
        } catch {
            writer.send(error.reply(to: id))
            writer.close()
            return
        }
        writer.send(.ok(id: id, completion.fields))
        writer.close()
    }
}
