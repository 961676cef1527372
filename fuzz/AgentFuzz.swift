// libFuzzer target: the agent's serve loop, fed the input as its whole stdin.
// Built by fuzz/run.sh from agent/*.swift plus this file, against PMProtocol.
//
// Nothing real can run: the agent searches only an empty tool directory (every tool is
// missing), reads a sysroot of fake host files, and uses libvirt's test driver (in-process,
// no daemon). The target refuses to start outside a network namespace that has nothing
// but loopback (run.sh uses `unshare --net`), so a relayed magic packet cannot leave.
//
// Properties checked for every input:
// - the agent greets first, and every line it writes is a well-formed protocol line;
// - every request line (each non-empty line, an overlong one, an unterminated last one)
//   gets exactly one final OK/ERR line.
// A request that needs a tool ends tool-missing: there is none to find, so nothing runs.
#if canImport(Glibc)
import Glibc
#endif
import PMProtocol

/// Stops the run with a message: libFuzzer records the input as a crash.
func violated(_ what: String, _ input: [UInt8], _ output: [UInt8] = []) -> Never {
    fatalError("property violated: \(what); input \(String(decoding: input.prefix(300), as: UTF8.self)); output \(String(decoding: output.prefix(600), as: UTF8.self))")
}

/// A temporary world made once per process: tool dir, sysroot, libvirt node file, I/O files.
struct FuzzWorld {
    let root: String
    var tools: String { root + "/tools" }
    var inputPath: String { root + "/input" }
    var outputPath: String { root + "/output" }
    let configuration: AgentConfiguration

    init() {
        var template = Array("/tmp/pmfz-agent-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed") }
        root = String(cString: made)
        let sysroot = root + "/sysroot"
        for folder in ["/tools", "/sysroot", "/sysroot/etc", "/sysroot/proc", "/sysroot/proc/sys", "/sysroot/proc/sys/kernel",
                       "/sysroot/proc/sys/kernel/random", "/sysroot/sys", "/sysroot/sys/power"] {
            mkdir(root + folder, 0o755)
        }
        Self.write("fuzz01\n", to: sysroot + "/etc/hostname")
        Self.write("3f1c2a9e-1111-4222-8333-444455556666\n", to: sysroot + "/proc/sys/kernel/random/boot_id")
        Self.write("12345.67 23456.78\n", to: sysroot + "/proc/uptime")
        Self.write("freeze mem disk\n", to: sysroot + "/sys/power/state")
        // The guests are shut off: the test driver's state lives for one connection only, so
        // a running guest would look running again at every poll and each CANCEL would wait
        // its whole guest timeout (up to an hour) before destroying it.
        Self.write("""
            <node xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
              <domain type="test"><name>tst100</name><memory>65536</memory><os><type>hvm</type></os><test:runstate>5</test:runstate></domain>
              <domain type="test"><name>tst001</name><memory>65536</memory><os><type>hvm</type></os><test:runstate>5</test:runstate></domain>
            </node>

            """, to: root + "/node.xml")
        var configuration = AgentConfiguration()
        configuration.toolDirectories = [root + "/tools"]
        configuration.searchSystemDirectories = false
        configuration.sysroot = sysroot
        configuration.libvirtURI = "test://" + root + "/node.xml"
        self.configuration = configuration
    }

    static func write(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { fatalError("cannot write \(path)") }
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    static func read(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// Refuses to fuzz where a relayed magic packet could reach a real network.
    static func requireIsolatedNetwork() {
        guard let list = if_nameindex() else { fatalError("if_nameindex failed") }
        defer { if_freenameindex(list) }
        var entry = list
        while entry.pointee.if_index != 0 {
            let name = String(cString: entry.pointee.if_name)
            if name != "lo" {
                let text = Array("fuzz-agent: interface \(name) is present; run me in an empty network namespace (unshare --net)\n".utf8)
                _ = text.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
                exit(2)
            }
            entry += 1
        }
    }
}

nonisolated(unsafe) var world: FuzzWorld?

@_cdecl("LLVMFuzzerInitialize")
public func agentFuzzInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>)
    -> Int32
{
    FuzzWorld.requireIsolatedNetwork()
    world = FuzzWorld()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func agentFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let world else { fatalError("not initialized") }
    let input = Array(UnsafeBufferPointer(start: data, count: size))

    // The input is the agent's whole stdin: a regular file, so EOF comes after the last byte.
    let inputFD = open(world.inputPath, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    _ = input.withUnsafeBytes { write(inputFD, $0.baseAddress, $0.count) }
    lseek(inputFD, 0, SEEK_SET)
    let outputFD = open(world.outputPath, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    AgentSession(configuration: world.configuration, log: AgentLog(minimum: .error, useSyslog: false),
                 input: inputFD, output: outputFD).run()
    close(inputFD)
    close(outputFD)
    let output = FuzzWorld.read(world.outputPath)

    // Every line out is a protocol line; the first is HELLO; count the final ones.
    var lines = output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    guard lines.last?.isEmpty == true else { violated("the output does not end with LF", input, output) }
    lines.removeLast()
    var finals = 0
    for (index, line) in lines.enumerated() {
        guard let message = try? LineCodec.decode(line) else {
            violated("line \(index + 1) of the output is not a protocol line", input, output)
        }
        if index == 0, message.kind != .hello { violated("the agent did not greet first", input, output) }
        if message.kind.isFinal { finals += 1 }
    }

    // What the agent must answer: every non-empty line (an overlong one once), and an
    // unterminated last line.
    var splitter = LineSplitter()
    var expected = 0
    for event in splitter.feed(input) {
        switch event {
        case .overlong: expected += 1
        case .line(let line): if !(line.isEmpty || line == [UInt8(ascii: "\r")]) { expected += 1 }
        }
    }
    if splitter.unterminated != nil { expected += 1 }
    guard finals == expected else {
        violated("\(expected) request lines got \(finals) final lines", input, output)
    }
    return 0
}
