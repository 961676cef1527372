import PMProtocol
import Testing

@Suite struct RequestTests {
    private func cancel(_ line: String) throws -> CancelArguments {
        let message = try #require(try LineCodec.decode(Array(line.utf8)))
        guard case .cancel(let arguments) = try Request(verb: message.word ?? "", fields: message.fields) else {
            throw ArgumentError(key: "verb", "not a cancel")
        }
        return arguments
    }

    /// SEMANTICS.md: what the guests get and whether the host acts, per method.
    @Test(arguments: [
        ("REQ r cancel method=poweroff delay=0", CancelArguments.GuestAction.shutdown, false),        // S3
        ("REQ r cancel method=poweroff delay=0 force=yes type=xen", .abandon, true),                  // S4
        ("REQ r cancel method=poweroff wol=yes type=xen", .shutdown, false),                          // S5
        ("REQ r cancel method=reboot", .reboot, false),                                               // S7
        ("REQ r cancel method=reboot self=yes", .shutdown, true),                                     // S8
        ("REQ r cancel method=reboot force=yes type=xen", .abandon, true),                            // S9
        ("REQ r cancel method=init level=0", .shutdown, true),                                        // S10
        ("REQ r cancel method=init level=6", .shutdown, true),
        ("REQ r cancel method=init level=3", .leave, true),
        ("REQ r cancel method=reset", .reboot, false),
        ("REQ r cancel method=pause self=yes", .shutdown, true),
        ("REQ r cancel method=suspend", .shutdown, false),
        ("REQ r cancel vm=tst100 force=yes", .destroy, false),
        ("REQ r cancel vm=tst100", .shutdown, false),
    ])
    func methodsMapToGuestActionsAndHostAction(line: String, guests: CancelArguments.GuestAction, hostActs: Bool) throws {
        let arguments = try cancel(line)
        #expect(arguments.guestAction == guests, "\(line)")
        #expect(arguments.hostActs == hostActs, "\(line)")
    }

    @Test func canonicalFieldsParseBackToTheSameArguments() throws {
        let arguments = try cancel("REQ r cancel method=init level=0 wol=yes if=eth0 broadcast=10.0.0.255 label=x handled=a,b")
        #expect(try CancelArguments(arguments.fields) == arguments)
        let wake = try WakeArguments(["mac": "02:77:00:00:00:01", "broadcast": "10.0.0.255", "ports": "9,7", "secureon": "01020304"])
        #expect(try WakeArguments(wake.fields) == wake)
    }

    @Test func theHelloChecksTheMajorVersionAndSaysWhatToUpgrade() throws {
        let hello = Hello(agentVersion: "0.1.0", host: "lab01", capabilities: ["ping", "cancel"])
        #expect(try Hello(hello.message) == hello)
        var newer = hello.message
        newer.fields.set("proto", "2.0")
        let error = #expect(throws: Hello.Failure.self) { try Hello(newer) }
        #expect(error?.description.contains("upgrade pmctl") == true)
        var older = hello.message
        older.fields.set("proto", "0.9")
        #expect((#expect(throws: Hello.Failure.self) { try Hello(older) })?.description.contains("upgrade pmagent") == true)
        var minor = hello.message
        minor.fields.set("proto", "1.7")
        minor.fields.set("future-key", "x")
        #expect(try Hello(minor).protocolVersion == ProtocolVersion(major: 1, minor: 7))
        #expect(throws: Hello.Failure.notAGreeting) { try Hello(.ok(id: "r1")) }
    }

    @Test func stepsRoundTripWithTheirExtras() throws {
        let step = Step("vm", name: "tst100", result: "forced", extra: ["elapsed_ms": "20004", "detail": "ignored shutdown"])
        let wire = LineCodec.encode(step.message(id: "r1"))
        let decoded = try #require(try LineCodec.decode(wire.dropLast()))
        let back = try #require(Step(decoded))
        #expect(back == step)
    }
}
