import Foundation
import Testing
import TestSupport
@testable import PMController

/// Programs the controller runs itself (ipmitool, terminals, viewers).
@Suite struct LocalCommandTests {
    /// A program whose file is still open for writing (here by this test, as a forked child
    /// holding the writer's descriptor would) cannot be exec'd: the run waits the moment out.
    @Test func aProgramStillOpenForWritingStartsOnceItIsClosed() throws {
        let folder = try TemporaryDirectory("pmlocal")
        defer { folder.remove() }
        let tool = try ScriptStillBeingWritten(in: folder, script: "#!/bin/sh\necho started \"$@\"\n")

        let result = try LocalCommand.run(tool.path, ["now"], timeout: 10)
        #expect(result.status == 0)
        #expect(result.stdout == "started now\n")
    }

    @Test func aProgramThatCannotStartStillThrows() throws {
        let folder = try TemporaryDirectory("pmlocal")
        defer { folder.remove() }
        try folder.write("not-executable", "#!/bin/sh\n", mode: 0o644)
        #expect(throws: (any Error).self) { try LocalCommand.run(folder.file("not-executable"), [], timeout: 10) }
    }
}
