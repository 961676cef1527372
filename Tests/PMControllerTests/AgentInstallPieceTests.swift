import Foundation
@testable import PMController
import Testing
import TestSupport

/// The parts of `agent install` that decide what is written: the authorized_keys edit, the
/// key and forced command it is built from, and the quoting of remote commands.
@Suite struct AgentInstallPieceTests {
    static let blob = "AAAAC3NzaC1lZDI1NTE5AAAAIHk2Lw9tq1dWqg6Xz0c8Yq3G1b9sX0J8pB3nq8mQe0wz"
    let key = try! ControllerPublicKey(line: "ssh-ed25519 \(blob) pmctl@console", source: "test")
    let wanted = "command=\"/usr/local/bin/pmagent serve\",restrict ssh-ed25519 \(blob) pmctl@console"

    @Test func theKeyLineIsAddedOnceAndThenLeftAlone() {
        let added = AuthorizedKeysEdit(existing: "", key: key, wanted: wanted)
        #expect(added.change == .added)
        #expect(added.text == wanted + "\n")
        let again = AuthorizedKeysEdit(existing: added.text, key: key, wanted: wanted)
        #expect(again.change == .unchanged)
        #expect(again.text == added.text)
    }

    @Test func otherLinesStayWhereTheyAreAndCopiesOfTheKeyCollapseIntoOne() {
        let existing = """
            # ops
            ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherOtherOtherOtherOtherOtherOtherOther ops@desk

            from="10.0.0.1",command="/bin/echo a b" ssh-ed25519 \(Self.blob) old
            ssh-ed25519 \(Self.blob) plain
            no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIThirdThirdThirdThirdThirdThirdThirdThir x
            """
        let edit = AuthorizedKeysEdit(existing: existing, key: key, wanted: wanted)
        #expect(edit.change == .replaced)
        #expect(edit.replacedLines.count == 2)
        #expect(edit.text == """
            # ops
            ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherOtherOtherOtherOtherOtherOtherOther ops@desk

            \(wanted)
            no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIThirdThirdThirdThirdThirdThirdThirdThir x

            """)
        // A wanted line plus a duplicate is not "unchanged": the duplicate goes.
        let doubled = AuthorizedKeysEdit(existing: wanted + "\n" + wanted + "\n", key: key, wanted: wanted)
        #expect(doubled.change == .replaced)
        #expect(doubled.text == wanted + "\n")
    }

    @Test func aCommentedOutOrQuotedCopyOfTheKeyIsNotTheKey() {
        let existing = "# ssh-ed25519 \(Self.blob) retired\ncommand=\"echo ssh-ed25519 \(Self.blob)\" ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC x\n"
        let edit = AuthorizedKeysEdit(existing: existing, key: key, wanted: wanted)
        #expect(edit.change == .added)
        #expect(edit.text == existing + wanted + "\n")
    }

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

    @Test func anUnsafeCommentIsNotCopiedIntoTheHostsFiles() throws {
        let key = try ControllerPublicKey(line: "ssh-ed25519 \(Self.blob) \"evil\" $(reboot)", source: "k.pub")
        #expect(key.comment == "pmctl@console")
    }

    @Test(arguments: ["/usr/local/bin/pm agent", "/bin/pmagent\"", "/bin/$(id)", "/bin/a'b", "bin/pmagent", "/a/../b"])
    func aForcedCommandPathWithShellOrQuoteCharactersIsRefused(_ path: String) {
        #expect(throws: InstallError.self) { try ForcedCommand(agentPath: path) }
    }

    @Test func quotedArgumentsReachTheRemoteShellByteForByte() throws {
        let values = ["plain", "two words", "it's", "$(id) `id` $HOME", "back\\slash", "new\nline", "*", "-n", ""]
        let command = ShellQuoting.command(script: #"for a in "$@"; do printf '[%s]' "$a"; done"#, arguments: values)
        // sshd hands the command text to the login shell: /bin/sh -c TEXT.
        let run = try ProgramRun.run(URL(fileURLWithPath: "/bin/sh"), ["-c", command])
        #expect(run.stdout == values.map { "[\($0)]" }.joined())
    }
}
