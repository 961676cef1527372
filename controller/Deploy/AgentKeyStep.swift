/// The `ssh-dir` and `key` steps of `agent install`: the forced-command line in
/// ~USER/.ssh/authorized_keys exactly once, ~/.ssh 0700 and the file 0600, both the agent
/// user's. Everything in its home is looked at and written as that user
/// (AgentSSHDirectory), never as root; a link at ~/.ssh or at the key file is refused, not
/// followed, and so is a ~/.ssh of another owner (the user could not fix it).
struct AgentKeyStep {
    let host: String
    let account: AgentAccount
    let key: ControllerPublicKey
    /// The whole line wanted in the file.
    let wanted: String
    let dryRun: Bool
    /// Reports a step: its kind, name, result and optional detail.
    let record: (String, String, String, String?) -> Void

    func run(_ home: AgentSSHDirectory) throws(InstallError) {
        let user = account.name
        let found = try home.inspect()
        let directory = home.path
        let wantedState = RemoteShell.FileState(mode: "700", owner: account.uid, group: account.gid)
        var directoryAction = AgentSSHDirectory.DirectoryAction.keep
        switch found.directory {
        case .missing:
            directoryAction = .create
        case .directory(let state) where state.owner != account.uid:
            throw .refused("\(host): \(directory) is owned by uid \(state.owner), not by \(user) (uid \(account.uid)); "
                + "pmctl changes the agent's home only as \(user): chown \(user): \(directory)")
        case .directory(let state):
            if state != wantedState { directoryAction = .fix }
        case .link, .file, .unreadable, .other:
            throw .refused("\(host): \(directory) is \(found.directory == .link ? "a symbolic link" : "not a directory"); "
                + "pmctl does not work through it: make it a directory of \(user)'s")
        }
        let file = home.keysPath
        let fileState: RemoteShell.FileState?
        switch found.keys {
        case .missing: fileState = nil
        case .file(let state): fileState = state
        case .unreadable(let state):
            throw .refused("\(host): \(file) (mode \(state.mode), uid \(state.owner)) cannot be read by \(user), so its keys could not be kept; "
                + "chown \(user): \(file)")
        case .link, .directory, .other:
            throw .refused("\(host): \(file) is \(found.keys == .link ? "a symbolic link" : "not a regular file"); "
                + "pmctl does not write through it: make it a plain file of \(user)'s (or remove it)")
        }
        let edit = AuthorizedKeysEdit(existing: found.content, key: key, wanted: wanted)
        let detail = edit.replacedLines.isEmpty ? nil : "was: " + edit.replacedLines.map(AuthorizedKeysEdit.options).joined(separator: " | ")
        let wantedFile = RemoteShell.FileState(mode: "600", owner: account.uid, group: account.gid)
        // Another owner or group cannot be fixed by the user in place: the file is written anew.
        let ownedRight = fileState.map { $0.owner == account.uid && $0.group == account.gid } ?? true
        let keysAction: AgentSSHDirectory.KeysAction
        let keysResult: String
        switch edit.change {
        case .unchanged where fileState == wantedFile: (keysAction, keysResult) = (.keep, "unchanged")
        case .unchanged: (keysAction, keysResult) = (ownedRight ? .fix : .write, "mode-fixed")
        case let change: (keysAction, keysResult) = (.write, change.rawValue)
        }

        if dryRun {
            switch directoryAction {
            case .create: record("ssh-dir", directory, "would-create", nil)
            case .fix: record("ssh-dir", directory, "would-fix-mode", "is \(AgentInstallWorker.describe(found.directory)), wants 700 \(account.owner)")
            case .keep: break
            }
            switch keysResult {
            case "unchanged": record("key", file, "unchanged", nil)
            case "mode-fixed": record("key", file, "would-fix-mode", "is \(AgentInstallWorker.describe(fileState)), wants 600 \(account.owner)")
            default: record("key", file, "would-" + (edit.change == .added ? "add" : "replace"), detail)
            }
            return
        }
        try home.apply(directory: directoryAction, keys: keysAction, content: edit.bytes)
        switch directoryAction {
        case .create: record("ssh-dir", directory, "created", nil)
        case .fix: record("ssh-dir", directory, "mode-fixed", nil)
        case .keep: break
        }
        record("key", file, keysResult, keysResult == "mode-fixed" ? nil : detail)
    }
}
