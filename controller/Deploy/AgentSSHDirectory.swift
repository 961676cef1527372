/// The agent's ~/.ssh and its authorized_keys, looked at and changed only AS the agent's
/// user (RemoteShell.runAs), never as root: the user owns its home and can plant links
/// there (to /etc, to /etc/shadow) or swap files between two commands, and as itself it
/// reaches nothing more through them than it could anyway. The new key file is written to
/// a fresh `mktemp` name beside the old one and renamed over it.
struct AgentSSHDirectory {
    /// What stands at a path, as `[ -L ]`, `[ -d ]`, `[ -f ]` and `stat -c '%a %u %g'` (no
    /// -L: a link is a link) tell.
    enum Entry: Equatable {
        case missing, link, other
        case directory(RemoteShell.FileState)
        case file(RemoteShell.FileState)
        /// A file the user cannot read (someone else's, or mode 0200).
        case unreadable(RemoteShell.FileState)
    }

    struct Inspection: Equatable {
        var directory: Entry
        var keys: Entry
        /// The key file's bytes (empty unless it is a regular file).
        var content: [UInt8]
    }

    enum DirectoryAction: String { case create, fix, keep }
    enum KeysAction: String { case write, fix, keep }

    let account: AgentAccount
    let shell: RemoteShell

    var path: String { account.sshDirectory }
    var keysPath: String { account.authorizedKeys }

    /// Two lines (the folder, the file), then the file's bytes.
    func inspect() throws(InstallError) -> Inspection {
        let script = #"""
            describe() {
                if [ -L "$1" ]; then echo link
                elif [ ! -e "$1" ]; then echo missing
                elif [ -d "$1" ]; then echo "directory $(stat -c '%a %u %g' -- "$1")"
                elif [ -f "$1" ] && [ ! -r "$1" ]; then echo "unreadable $(stat -c '%a %u %g' -- "$1")"
                elif [ -f "$1" ]; then echo "file $(stat -c '%a %u %g' -- "$1")"
                else echo other; fi
            }
            describe "$1/.ssh" && describe "$1/.ssh/authorized_keys" || exit 1
            if [ -d "$1/.ssh" ] && [ ! -L "$1/.ssh" ] && [ -f "$1/.ssh/authorized_keys" ] && [ ! -L "$1/.ssh/authorized_keys" ] \
                && [ -r "$1/.ssh/authorized_keys" ]; then
                exec cat -- "$1/.ssh/authorized_keys"
            fi
            """#
        let result = try shell.runAs(account, script, [account.home])
        guard result.status == 0 else { throw shell.failure("reading \(path) as \(account.name)", result) }
        return try Self.parse(result.stdout, host: shell.host)
    }

    static func parse(_ output: [UInt8], host: String) throws(InstallError) -> Inspection {
        let parts = output.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let directory = entry(parts[0]), let keys = entry(parts[1]) else {
            throw .failed("\(host): unexpected answer looking at the agent's ~/.ssh: \(String(decoding: output.prefix(200), as: UTF8.self))")
        }
        return Inspection(directory: directory, keys: keys, content: parts.count == 3 ? Array(parts[2]) : [])
    }

    private static func entry(_ line: ArraySlice<UInt8>) -> Entry? {
        let words = String(decoding: line, as: UTF8.self).split(separator: " ").map(String.init)
        switch (words.first, words.count) {
        case ("missing", 1): return .missing
        case ("link", 1): return .link
        case ("other", 1): return .other
        case ("directory", 4): return .directory(RemoteShell.FileState(mode: words[1], owner: words[2], group: words[3]))
        case ("file", 4): return .file(RemoteShell.FileState(mode: words[1], owner: words[2], group: words[3]))
        case ("unreadable", 4): return .unreadable(RemoteShell.FileState(mode: words[1], owner: words[2], group: words[3]))
        default: return nil
        }
    }

    /// As the agent's user, with umask 077: the folder created (0700) or its group and mode
    /// set; the key file written whole (`content` to a mktemp name, 0600, renamed into
    /// place) or its mode set. A failed write leaves no staged file behind.
    func apply(directory: DirectoryAction, keys: KeysAction, content: [UInt8]) throws(InstallError) {
        let script = #"""
            umask 077
            ssh=$1/.ssh
            case $2 in
                create) mkdir -m 700 -- "$ssh" || exit 1 ;;
                fix) chgrp -- "$4" "$ssh" && chmod 700 -- "$ssh" || exit 1 ;;
            esac
            case $3 in
                write)
                    staged=$(mktemp "$ssh/.ak.XXXXXX") || exit 1
                    if cat > "$staged" && chmod 600 -- "$staged" && mv -f -- "$staged" "$ssh/authorized_keys"; then exit 0; fi
                    rm -f -- "$staged"
                    exit 1 ;;
                fix) chmod 600 -- "$ssh/authorized_keys" || exit 1 ;;
            esac
            """#
        let result = try shell.runAs(account, script, [account.home, directory.rawValue, keys.rawValue, account.gid],
                                     input: keys == .write ? content : [])
        guard result.status == 0 else { throw shell.failure("writing \(keysPath) as \(account.name)", result) }
    }
}
