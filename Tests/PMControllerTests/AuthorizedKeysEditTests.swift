@testable import PMController
import Testing

/// The authorized_keys edit works on bytes and reads each line as sshd does: options (with
/// quoted commas and blanks), then the key type, then the blob. Only those positions name
/// a line's key, so a colleague's comment or option that mentions our key, and a
/// cert-authority line for it, stay as they are.
@Suite struct AuthorizedKeysEditTests {
    static let blob = "AAAAC3NzaC1lZDI1NTE5AAAAIHk2Lw9tq1dWqg6Xz0c8Yq3G1b9sX0J8pB3nq8mQe0wz"
    static let otherBlob = "AAAAC3NzaC1lZDI1NTE5AAAAIOtherOtherOtherOtherOtherOtherOtherOther"
    let key = try! ControllerPublicKey(line: "ssh-ed25519 \(blob) pmctl@console", source: "test")
    let wanted = "command=\"/usr/local/bin/pmagent serve\",restrict ssh-ed25519 \(blob) pmctl@console"

    func edit(_ text: String) -> AuthorizedKeysEdit {
        AuthorizedKeysEdit(existing: Array(text.utf8), key: key, wanted: wanted)
    }

    func text(_ edit: AuthorizedKeysEdit) -> String { String(decoding: edit.bytes, as: UTF8.self) }

    @Test func theKeyLineIsAddedOnceAndThenLeftAlone() {
        let added = edit("")
        #expect(added.change == .added)
        #expect(text(added) == wanted + "\n")
        let again = AuthorizedKeysEdit(existing: added.bytes, key: key, wanted: wanted)
        #expect(again.change == .unchanged)
        #expect(again.bytes == added.bytes)
    }

    @Test(arguments: [
        #"command="a b",no-pty"#,
        #"environment="X=a,b",no-pty"#,
        #"from="10.0.0.1",command="/bin/echo \"quoted, with blanks\"""#,
        "no-pty",
    ])
    func aLineForOurKeyBehindQuotedOptionsIsFoundAndReplaced(_ options: String) {
        let colleague = "ssh-ed25519 \(Self.otherBlob) ops@desk"
        let result = edit("\(colleague)\n\(options) ssh-ed25519 \(Self.blob) old\n")
        #expect(result.change == .replaced)
        #expect(result.replacedLines == ["\(options) ssh-ed25519 \(Self.blob) old"])
        #expect(AuthorizedKeysEdit.options(of: result.replacedLines[0]) == options)
        #expect(text(result) == "\(colleague)\n\(wanted)\n")
    }

    @Test func ourKeyInAnotherLinesCommentOrOptionIsNotOurLine() {
        let existing = """
            ssh-ed25519 \(Self.otherBlob) colleague, see also ssh-ed25519 \(Self.blob)
            command="echo ssh-ed25519 \(Self.blob)" ssh-ed25519 \(Self.otherBlob) x
            # ssh-ed25519 \(Self.blob) retired

            """
        let result = edit(existing)
        #expect(result.change == .added)
        #expect(result.replacedLines.isEmpty)
        #expect(text(result) == existing + wanted + "\n")
    }

    @Test func aCertificateAuthorityLineForOurKeyIsLeftAlone() {
        let authority = "cert-authority,principals=\"ops\" ssh-ed25519 \(Self.blob) our CA"
        let upper = "CERT-AUTHORITY ssh-ed25519 \(Self.blob) also a CA"
        let result = edit("\(authority)\n\(upper)\n")
        #expect(result.change == .added)
        #expect(text(result) == "\(authority)\n\(upper)\n\(wanted)\n")
    }

    @Test func copiesOfTheKeyCollapseIntoOneLineWhereTheFirstStood() {
        let existing = """
            # ops
            ssh-ed25519 \(Self.otherBlob) ops@desk

            from="10.0.0.1",command="/bin/echo a b" ssh-ed25519 \(Self.blob) old
            ssh-ed25519 \(Self.blob) plain
            \(wanted)
            no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIThirdThirdThirdThirdThirdThirdThirdThir x
            """
        let result = edit(existing)
        #expect(result.change == .replaced)
        #expect(result.replacedLines.count == 2)
        #expect(text(result) == """
            # ops
            ssh-ed25519 \(Self.otherBlob) ops@desk

            \(wanted)
            no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIThirdThirdThirdThirdThirdThirdThirdThir x

            """)
        // The wanted line twice is not "unchanged": the second copy goes.
        let doubled = edit(wanted + "\n" + wanted + "\n")
        #expect(doubled.change == .replaced)
        #expect(text(doubled) == wanted + "\n")
    }

    @Test func crlfLinesKeepTheirEndingsAndOurCRLFLineCountsAsOurs() {
        let colleague = "ssh-ed25519 \(Self.otherBlob) ops@desk\r\n"
        let added = edit(colleague)
        #expect(text(added) == colleague + wanted + "\n")
        let ours = edit(colleague + wanted + "\r\n")
        #expect(ours.change == .unchanged)
        let replaced = edit(colleague + "no-pty ssh-ed25519 \(Self.blob) old\r\n")
        #expect(replaced.change == .replaced)
        #expect(text(replaced) == colleague + wanted + "\n")
    }

    @Test func aLastLineWithoutNewlineGetsOneBeforeOurLine() {
        let colleague = "ssh-ed25519 \(Self.otherBlob) ops@desk"
        #expect(text(edit(colleague)) == colleague + "\n" + wanted + "\n")
    }

    @Test func bytesThatAreNotUTF8StayExactlyAsTheyWere() {
        // A Latin-1 comment (é as 0xE9) and a stray 0xFF: not UTF-8, and not ours to change.
        let colleague: [UInt8] = Array("ssh-ed25519 \(Self.otherBlob) Ren".utf8) + [0xE9] + Array("\n# \u{1}".utf8) + [0xFF, 0x0A]
        let added = AuthorizedKeysEdit(existing: colleague, key: key, wanted: wanted)
        #expect(added.change == .added)
        #expect(added.bytes == colleague + Array((wanted + "\n").utf8))
        let replaced = AuthorizedKeysEdit(existing: colleague + Array("no-pty ssh-ed25519 \(Self.blob) x\n".utf8), key: key, wanted: wanted)
        #expect(replaced.bytes == colleague + Array((wanted + "\n").utf8))
    }

    @Test(arguments: [
        ("ssh-ed25519 \(blob) c", "", "ssh-ed25519"),
        ("  no-pty,command=\"x y\"\tssh-ed25519 \(blob)", "no-pty,command=\"x y\"", "ssh-ed25519"),
        ("sk-ssh-ed25519@openssh.com \(blob)", "", "sk-ssh-ed25519@openssh.com"),
    ])
    func aKeyLineIsReadAsOptionsTypeAndBlob(_ line: String, _ options: String, _ type: String) throws {
        let parsed = try #require(AuthorizedKeyLine(line))
        #expect(parsed.options == options && parsed.type == type && parsed.blob == Self.blob)
    }

    @Test(arguments: ["", "   ", "# ssh-ed25519 \(blob)", "no-pty", "ssh-ed25519", "bogus words here", "no-pty bogus \(blob)"])
    func aLineWithoutAKeyWhereSshdLooksIsNoKeyLine(_ line: String) {
        #expect(AuthorizedKeyLine(line) == nil)
    }
}
