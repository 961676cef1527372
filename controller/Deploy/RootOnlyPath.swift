import Foundation

/// Where root writes on a host (the binary, the sudoers file) must be a place only root
/// can change: every folder on the way, as written and with links resolved, belongs to
/// root and is not writable by group or others (a sticky folder such as /tmp may be on the
/// way, not the last one), and the file itself is not a link. Otherwise another user could
/// swap in a link between two of root's steps and have root write or chmod through it.
enum RootOnlyPath {
    /// Refuses (the host ends refused) when `path` or a folder above it could be changed by
    /// someone other than root. Folders not there yet are fine: root creates them.
    static func check(_ path: String, _ shell: RemoteShell, host: String) throws(InstallError) {
        let script = #"""
            set -f
            walk() {
                last=$1 current=
                saved=$IFS; IFS=/; set -- $1; IFS=$saved
                for part in "$@"; do
                    [ -n "$part" ] || continue
                    current=$current/$part
                    if [ ! -e "$current" ] && [ ! -L "$current" ]; then return 0; fi
                    owner=$(stat -c %u -- "$current") && mode=$(stat -c %a -- "$current") || exit 1
                    if [ "$owner" != 0 ]; then echo "$current belongs to uid $owner, not root"; exit 3; fi
                    [ -L "$current" ] && continue
                    if [ ! -d "$current" ]; then echo "$current is not a directory"; exit 3; fi
                    if [ $((0$mode & 022)) -ne 0 ] && { [ "$current" = "$last" ] || [ $((0$mode & 01000)) -eq 0 ]; }; then
                        echo "$current is writable by others than root (mode $mode)"; exit 3
                    fi
                done
            }
            parent=${1%/*}
            [ -n "$parent" ] || parent=/
            walk "$parent"
            walk "$(readlink -m -- "$parent")"
            if [ -L "$1" ]; then echo "$1 is a symbolic link"; exit 3; fi
            if [ -e "$1" ] && [ ! -f "$1" ]; then echo "$1 is not a regular file"; exit 3; fi
            exit 0
            """#
        let result = try shell.run(script, [path])
        switch result.status {
        case 0: return
        case 3:
            let why = result.text.trimmingCharacters(in: .whitespacesAndNewlines)
            throw .refused("\(host): \(why): root writes \(path) only where no other user can change the way there; "
                + "fix the owner or mode, or choose another path")
        default:
            throw shell.failure("looking at the folders above \(path)", result)
        }
    }
}
