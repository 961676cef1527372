import Foundation
@testable import PMController
import Testing
import TestSupport

/// The parts of `agent install` that decide what is written: the key and forced command the
/// key line is built from, the account it goes to, the capability text, and the quoting of
/// remote commands (AuthorizedKeysEditTests has the edit itself).
@Suite struct AgentInstallPieceTests {
    static let blob = "AAAAC3NzaC1lZDI1NTE5AAAAIHk2Lw9tq1dWqg6Xz0c8Yq3G1b9sX0J8pB3nq8mQe0wz"
    @Test(arguments: [
        ("", "is not an SSH public key"),
        ("ssh-dss AAAAB3NzaC1kc3MAAACBAP x", "is not an SSH public key"),
        ("ssh-ed25519 not*base64*at*all*here", "malformed"),
        ("ssh-ed25519 \"AAAA\",command=x", "malformed"),
    ])
    func aMalformedPublicKeyIsRefused(_ line: String, _ expected: String) {
        #expect(throws: InstallError.self) { try ControllerPublicKey(line: line, source: "k.pub") }
        do { _ = try ControllerPublicKey(line: line, source: "k.pub") } catch { #expect(error.message.contains(expected), "\(error.message)") }
    }

    @Test func aPublicKeyFileGivesTypeBlobAndCommentAndItsForcedCommandLine() throws {
        let directory = try TemporaryDirectory("pmkey")
        defer { directory.remove() }
        try directory.write("k.pub", "# a comment line first\n\nssh-ed25519 \(Self.blob)   ops@desk\n")
        let key = try ControllerPublicKey.load(path: directory.file("k.pub"))
        #expect(key.type == "ssh-ed25519" && key.blob == Self.blob && key.comment == "ops@desk")
        let command = try ForcedCommand(agentPath: "/usr/local/bin/pmagent", serveArguments: ["--libvirt-uri", "qemu:///system"])
        #expect(key.forcedCommandLine(command)
            == "command=\"/usr/local/bin/pmagent serve --libvirt-uri qemu:///system\",restrict ssh-ed25519 \(Self.blob) ops@desk")
        let noComment = try ControllerPublicKey(line: "ssh-ed25519 \(Self.blob)", source: "k.pub")
        #expect(noComment.comment == "pmctl@console")
    }

    @Test func anUnsafeCommentIsNotCopiedIntoTheHostsFiles() throws {
        let key = try ControllerPublicKey(line: "ssh-ed25519 \(Self.blob) \"evil\" $(reboot)", source: "k.pub")
        #expect(key.comment == "pmctl@console")
    }

    @Test(arguments: ["/usr/local/bin/pm agent", "/bin/pmagent\"", "/bin/$(id)", "/bin/a'b", "bin/pmagent", "/a/../b"])
    func aForcedCommandPathWithShellOrQuoteCharactersIsRefused(_ path: String) {
        #expect(throws: InstallError.self) { try ForcedCommand(agentPath: path) }
    }

    @Test func anAccountIsReadFromItsPasswdLine() throws {
        let account = try #require(AgentAccount(passwdLine: "pmagent:x:998:997:PMControl agent:/home/pmagent/:/bin/sh"))
        #expect(account.name == "pmagent" && account.uid == "998" && account.gid == "997")
        #expect(account.home == "/home/pmagent" && account.shell == "/bin/sh")
        #expect(account.sshDirectory == "/home/pmagent/.ssh" && account.authorizedKeys == "/home/pmagent/.ssh/authorized_keys")
        #expect(!account.isRoot && account.shellRunsCommands)
        let rootHome = try #require(AgentAccount(passwdLine: "x:x:5:5::/:/bin/sh"))
        #expect(rootHome.sshDirectory == "/.ssh")
    }

    @Test(arguments: ["toor:x:0:0::/root:/bin/sh", "alias:x:00:1000::/home/alias:/bin/bash"])
    func aUidZeroAccountUnderAnyNameIsRoot(_ line: String) throws {
        #expect(try #require(AgentAccount(passwdLine: line)).isRoot)
    }

    @Test(arguments: ["a:x:1:1::/h:/usr/sbin/nologin", "a:x:1:1::/h:/bin/false", "a:x:1:1::/h:"])
    func aShellThatCannotRunTheForcedCommandIsSeen(_ line: String) throws {
        #expect(try #require(AgentAccount(passwdLine: line)).shellRunsCommands == false)
    }

    @Test(arguments: ["", "a:x:1:1::/h", "a:x::1::/h:/bin/sh", "a:x:1:1::relative:/bin/sh", "a:x:١:1::/h:/bin/sh"])
    func aMalformedPasswdLineIsNoAccount(_ line: String) {
        #expect(AgentAccount(passwdLine: line) == nil)
    }

    @Test(arguments: [
        ("/usr/local/bin/pmagent cap_net_raw=ep\n", "cap_net_raw=ep"),
        ("/usr/local/bin/pmagent = cap_net_raw+ep\n", "cap_net_raw=ep"),
        ("/usr/local/bin/pmagent cap_net_raw=p\n", "cap_net_raw=p"),
        ("/usr/local/bin/pmagent cap_net_admin,cap_net_raw=ep\n", "cap_net_admin,cap_net_raw=ep"),
        ("", ""),
    ])
    func theCapabilityIsReadExactlyFromGetcap(_ output: String, _ expected: String) {
        #expect(AgentInstallWorker.capabilities(inGetcapOutput: output, path: "/usr/local/bin/pmagent") == expected)
    }

    @Test func quotedArgumentsReachTheRemoteShellByteForByte() throws {
        let values = ["plain", "two words", "it's", "$(id) `id` $HOME", "back\\slash", "new\nline", "*", "-n", ""]
        let command = ShellQuoting.command(script: #"for a in "$@"; do printf '[%s]' "$a"; done"#, arguments: values)
        // sshd hands the command text to the login shell: /bin/sh -c TEXT.
        let run = try ProgramRun.run(URL(fileURLWithPath: "/bin/sh"), ["-c", command])
        #expect(run.stdout == values.map { "[\($0)]" }.joined())
        #expect(ShellQuoting.quote("it's") == #"'it'\''s'"#)
    }

    @Test func aQuotedScriptRunsAsWrittenAndItsArgumentsAreNeverCode() throws {
        let marker = try TemporaryDirectory("pmquote")
        defer { marker.remove() }
        let planted = marker.file("planted")
        // Each value would run `touch` if anything evaluated it.
        let values = ["$(touch \(planted))", "`touch \(planted)`", "'; touch \(planted); '", "\"; touch \(planted); \""]
        let command = ShellQuoting.command(script: #"printf '%s\n' "$#" "$1""#, arguments: values)
        let run = try ProgramRun.run(URL(fileURLWithPath: "/bin/sh"), ["-c", command])
        #expect(run.stdout == "\(values.count)\n\(values[0])\n")
        #expect(!FileManager.default.fileExists(atPath: planted))
    }
}
