import Foundation
import PMProtocol
import SSH

/// One host's `agent install`, on the worker's own thread. As the install login (root) it
/// makes sure of, in order: the agent's user, the binary, the forced-command key line,
/// the sudoers file. It looks before it writes, so a second install changes nothing and a
/// dry run can say what would change. Then, as the agent's user through the new forced
/// command, it runs CHECK: its tool records become the check table.
struct AgentInstallWorker {
    static let action = "install"

    let context: HostContext
    let settings: InstallSettings

    func run() -> HostResult {
        do throws(InstallError) {
            let agentUser = context.host.user ?? settings.defaultAgentUser
            let admin = settings.adminLogins[context.host.name] ?? AdminLogin()
            guard AgentPrivileges.isUserName(agentUser) else {
                throw .refused("the agent's user '\(agentUser)' is not a login name sudoers can take (a-z, 0-9, _ and -)")
            }
            guard agentUser != admin.user else {
                throw .refused("the agent's user is the install login '\(agentUser)': its key line would become the forced command; use a dedicated account (--user pmagent)")
            }
            guard let key = settings.keys[context.host.name] else { throw .failed("no public key was given for \(context.host.name)") }
            let shell = try connect(as: admin)
            defer { try? shell.session.disconnect(deadline: .after(seconds: 1)) }
            try requireRoot(shell, admin)
            let account = try ensureAccount(agentUser, shell)
            try ensureBinary(shell)
            if settings.rawWoL { try ensureRawCapability(shell) }
            try ensureKeyLine(key, for: account, user: agentUser, shell)
            try ensureSudoers(user: agentUser, shell)
            if settings.dryRun {
                return context.result(action: Self.action, .skipped, message: "dry run: nothing was changed")
            }
            return try checkThroughForcedCommand(user: agentUser)
        } catch {
            return context.result(action: Self.action, error.outcome, message: error.message)
        }
    }

    // MARK: - The install login

    private func connect(as admin: AdminLogin) throws(InstallError) -> RemoteShell {
        let host = context.host
        do throws(SSHError) {
            let target = try SSHTarget(host: host.address, port: host.port, user: admin.user, identity: admin.identity,
                                       knownHosts: host.knownHosts ?? settings.defaultKnownHosts,
                                       connectTimeout: .milliseconds(Int(settings.connectTimeout * 1000)))
            // Ctrl-C cancels the session: every wait in it (handshake, each command, the
            // upload) then ends within about 100 ms and the host ends unfinished.
            let interruption = context.interruption
            let session = try SSHSession.connect(to: target, cancel: Cancellation(watching: { interruption.isSet }))
            return RemoteShell(session: session, host: host.name, deadline: .after(seconds: settings.installTimeout))
        } catch {
            if case .cancelled = error { throw InstallError(.host(.unfinished), "\(host.name): interrupted") }
            let failure = SSHAgentConnector.failure(error, host: host)
            throw InstallError(.host(Outcome(failure.kind)), "install login \(admin.user)@\(host.name): \(failure.message)")
        }
    }

    private func requireRoot(_ shell: RemoteShell, _ admin: AdminLogin) throws(InstallError) {
        let uid = try shell.mustRun("id -u", "id -u").text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard uid == "0" else {
            throw .refused("the install login '\(admin.user)' is not root on \(context.host.name) (uid \(uid)); "
                + "it writes the binary, the agent's home and sudoers: log in as root (--admin-user root)")
        }
    }

    // MARK: - The steps

    private func step(_ step: String, _ name: String, _ result: String, detail: String? = nil) {
        context.record(Step(step, name: name, result: result, extra: detail.map { ["detail": $0] } ?? Fields()))
    }

    /// The agent's user, created with a plain /bin/sh login if missing (CONTRACT.md). Its
    /// password is `*`: no password ever works, and unlike a locked `!` account sshd still
    /// takes its key when UsePAM is off. Nil in a dry run for a user not there yet.
    private func ensureAccount(_ user: String, _ shell: RemoteShell) throws(InstallError) -> AgentAccount? {
        let lookup = #"getent passwd "$1""#
        var entry = try shell.run(lookup, [user])
        if entry.status == 2 {
            if settings.dryRun {
                step("user", user, "would-create", detail: "useradd --system --create-home --shell /bin/sh")
                return nil
            }
            try shell.mustRun("creating user \(user)",
                              #"useradd --system --create-home --shell /bin/sh --password '*' --comment 'PMControl agent' -- "$1""#, [user])
            entry = try shell.run(lookup, [user])
            step("user", user, "created")
        } else {
            step("user", user, "exists")
        }
        let line = entry.text.split(separator: "\n").first.map(String.init) ?? ""
        guard entry.status == 0, let account = AgentAccount(passwdLine: line) else {
            throw .failed("\(context.host.name): cannot look up user \(user) (getent exit \(entry.status)): \(entry.stderr)\(line)")
        }
        guard account.shellRunsCommands else {
            throw .refused("\(context.host.name): \(user)'s login shell is '\(account.shell)', which cannot run the forced command; "
                + "give it a plain shell (usermod -s /bin/sh \(user))")
        }
        guard !account.isRoot else {
            throw .refused("\(context.host.name): \(user) has uid 0: its key line would give the controller's key a root login; "
                + "use an unprivileged account (--user pmagent)")
        }
        try requireOwnHome(account, shell)
        return account
    }

    /// The home must exist and belong to the account: the key step works there as the
    /// account, and a home of someone else's (root's, a colleague's) is not its to change.
    private func requireOwnHome(_ account: AgentAccount, _ shell: RemoteShell) throws(InstallError) {
        let home = account.home
        let owner = try shell.mustRun("looking at \(home)", #"[ -e "$1" ] || exit 0; stat -L -c %u -- "$1""#, [home])
            .text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !owner.isEmpty else {
            throw .refused("\(context.host.name): the home of \(account.name), \(home), does not exist; give the user a home (usermod -m -d /home/\(account.name) \(account.name))")
        }
        guard owner == account.uid else {
            throw .refused("\(context.host.name): the home of \(account.name), \(home), belongs to uid \(owner), not to \(account.name) (uid \(account.uid)); "
                + "give the agent a home of its own (usermod -m -d /home/\(account.name) \(account.name))")
        }
    }

    /// The binary, copied only when its SHA-256 differs; root-owned, mode 0755.
    private func ensureBinary(_ shell: RemoteShell) throws(InstallError) {
        let path = settings.forcedCommand.agentPath
        try RootOnlyPath.check(path, shell, host: context.host.name)
        let hash = try shell.sha256(of: path)
        if hash == settings.agentBinarySHA256 {
            let state = try shell.state(of: path)
            if state == RemoteShell.FileState(mode: "755", owner: "0", group: "0") {
                step("binary", path, "unchanged")
            } else if settings.dryRun {
                step("binary", path, "would-fix-mode", detail: "is \(Self.describe(state)), wants 755 0:0")
            } else {
                try shell.mustRun("setting the mode of \(path)", #"chown 0:0 "$1" && chmod 0755 "$1""#, [path])
                step("binary", path, "mode-fixed")
            }
            return
        }
        let reason = hash == nil ? "not there" : "content differs"
        if settings.dryRun {
            step("binary", path, "would-copy", detail: reason)
            return
        }
        try shell.mustRun("creating \(Self.parent(path))", #"mkdir -p -- "$1""#, [Self.parent(path)])
        try RootOnlyPath.check(path, shell, host: context.host.name)
        try place(settings.agentBinary, at: path, mode: 0o755, owner: "0:0", shell)
        step("binary", path, "copied", detail: reason)
    }

    /// `--raw-wol`: CAP_NET_RAW on the binary, so the agent can send raw magic frames.
    private func ensureRawCapability(_ shell: RemoteShell) throws(InstallError) {
        let path = settings.forcedCommand.agentPath
        let current = try shell.run(#"getcap "$1""#, [path])
        if current.status == 127 { throw .refused("getcap/setcap are not installed on \(context.host.name) (Debian package: libcap2-bin)") }
        if Self.capabilities(inGetcapOutput: current.text, path: path) == "cap_net_raw=ep" {
            step("capability", path, "unchanged")
        } else if settings.dryRun {
            step("capability", path, "would-grant", detail: "cap_net_raw+ep")
        } else {
            try shell.mustRun("setcap cap_net_raw+ep \(path)", #"setcap cap_net_raw+ep "$1""#, [path])
            step("capability", path, "granted", detail: "cap_net_raw+ep")
        }
    }

    /// The forced-command line in ~USER/.ssh/authorized_keys (AgentKeyStep), done as the
    /// agent's user; in a dry run for a user not there yet, only what would be added.
    private func ensureKeyLine(_ key: ControllerPublicKey, for account: AgentAccount?, user: String,
                               _ shell: RemoteShell) throws(InstallError) {
        guard let account else {
            step("key", "~\(user)/.ssh/authorized_keys", "would-add")
            return
        }
        let keyStep = AgentKeyStep(host: context.host.name, account: account, key: key,
                                   wanted: key.forcedCommandLine(settings.forcedCommand), dryRun: settings.dryRun) {
            step($0, $1, $2, detail: $3)
        }
        try keyStep.run(AgentSSHDirectory(account: account, shell: shell))
    }

    /// The sudoers file: written to a staged name sudo ignores (it has a dot), checked by
    /// the host's own visudo, and only then renamed into place. A file visudo refuses is
    /// removed again and the host fails; whatever was installed before stays.
    private func ensureSudoers(user: String, _ shell: RemoteShell) throws(InstallError) {
        let directory = settings.sudoersDirectory
        let path = directory + "/" + settings.sudoersName
        let text = Array(settings.sudoers.text(user: user).utf8)
        guard try shell.state(of: directory) != nil else {
            throw .refused("\(context.host.name): \(directory) does not exist (is sudo installed? Debian package: sudo)")
        }
        try RootOnlyPath.check(path, shell, host: context.host.name)
        let state = try shell.state(of: path)
        let sameText = state != nil ? try shell.read(path) == text : false
        if sameText && state == RemoteShell.FileState(mode: "440", owner: "0", group: "0") {
            step("sudoers", path, "unchanged")
            return
        }
        if settings.dryRun {
            step("sudoers", path, sameText ? "would-fix-mode" : "would-write",
                 detail: sameText ? "is \(Self.describe(state)), wants 440 0:0" : "checked by visudo first")
            return
        }
        if sameText {
            try shell.mustRun("setting the mode of \(path)", #"chown 0:0 "$1" && chmod 0440 "$1""#, [path])
            step("sudoers", path, "mode-fixed")
            return
        }
        // A hard link keeps the previous file (under a name sudo ignores) until the whole
        // configuration has passed with the new one.
        let previous = directory + "/." + settings.sudoersName + ".pmctl-old"
        if state != nil { try shell.mustRun("keeping a copy of \(path)", #"ln -f -- "$1" "$2""#, [path, previous]) }
        defer { if state != nil { _ = try? shell.run(#"rm -f -- "$1""#, [previous]) } }
        try place(text, at: path, mode: 0o440, owner: "0:0", shell) { staged throws(InstallError) in
            let check = try shell.run(#"visudo -c -f "$1""#, [staged])
            if check.status == 127 {
                throw .refused("visudo is not installed on \(context.host.name) (Debian package: sudo)")
            }
            guard check.status == 0 else {
                let why = (check.stderr + check.text).trimmingCharacters(in: .whitespacesAndNewlines)
                step("sudoers", path, "refused", detail: why)
                throw .failed("visudo on \(context.host.name) refused the sudoers file, so it was not installed "
                    + "(\(path) \(state == nil ? "stays absent" : "is unchanged")): \(why)")
            }
        }
        if let config = settings.sudoersConfig {
            try requireWholeConfiguration(config, path: path, previous: state == nil ? nil : previous, shell)
        }
        step("sudoers", path, "written")
    }

    /// `visudo -c -f CONFIG` with the new file in place: a file that passes alone can still
    /// break the whole (an alias another file defines too). Then the previous file is put
    /// back (or the new one removed) and the host fails.
    private func requireWholeConfiguration(_ config: String, path: String, previous: String?,
                                           _ shell: RemoteShell) throws(InstallError) {
        let check = try shell.run(#"visudo -c -f "$1""#, [config])
        guard check.status != 0 else { return }
        let why = (check.stderr + check.text).trimmingCharacters(in: .whitespacesAndNewlines)
        if let previous {
            try shell.mustRun("putting the previous \(path) back", #"mv -f -- "$1" "$2""#, [previous, path])
        } else {
            try shell.mustRun("removing \(path)", #"rm -f -- "$1""#, [path])
        }
        step("sudoers", path, "refused", detail: why)
        throw .failed("with the new \(path), visudo on \(context.host.name) refused the whole sudoers configuration \(config), "
            + "so \(previous == nil ? "the new file was removed" : "the previous file was put back"): \(why)")
    }

    /// Puts `bytes` at `path` so that no reader ever sees a partial or unchecked file:
    /// upload to `.NAME.pmctl-new` beside it, set its owner, let `validate` look at it,
    /// then rename it over `path` (atomic within one folder). On failure the staged file
    /// is removed.
    private func place(_ bytes: [UInt8], at path: String, mode: UInt32, owner: String, _ shell: RemoteShell,
                       validate: (String) throws(InstallError) -> Void = { _ in }) throws(InstallError) {
        let name = (path as NSString).lastPathComponent
        let staged = Self.parent(path) + "/." + name + ".pmctl-new"
        try shell.upload(bytes, to: staged, mode: mode)
        do throws(InstallError) {
            try shell.mustRun("setting the owner of \(staged)", #"chown "$1" "$2""#, [owner, staged])
            try validate(staged)
            try shell.mustRun("moving \(staged) to \(path)", #"mv -f -- "$1" "$2""#, [staged, path])
        } catch {
            _ = try? shell.run(#"rm -f -- "$1""#, [staged])
            throw error
        }
    }

    /// The capability text of `getcap PATH`: `cap_net_raw=ep` (libcap 2.4x), also when an
    /// older libcap writes `PATH = cap_net_raw+ep`; empty for none.
    static func capabilities(inGetcapOutput output: String, path: String) -> String {
        var text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix(path) { text = String(text.dropFirst(path.count)).trimmingCharacters(in: .whitespaces) }
        if text.hasPrefix("= ") {
            text = String(text.dropFirst(2))
            if text.hasSuffix("+ep") { text = String(text.dropLast(3)) + "=ep" }
        }
        return text
    }

    // MARK: - The check through the forced command

    private func checkThroughForcedCommand(user: String) throws(InstallError) -> HostResult {
        var login = context.host
        login.user = user
        do throws(HostFailure) {
            let (client, deadline) = try context.open(login)
            defer { client.close() }
            let reply: AgentReply
            do { reply = try client.call(.check, deadline: deadline) } catch { throw HostFailure(error.outcome, error.description) }
            let message = reply.isOK ? "agent \(client.hello.agentVersion) answers as \(user) through the forced command" : reply.message
            return context.result(action: Self.action, reply.outcome, message: message, records: reply.records)
        } catch {
            throw InstallError(.host(error.outcome), "installed, but the check as \(user) through the forced command failed: \(error.message)")
        }
    }

    // MARK: - Helpers

    static func parent(_ path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "/" : parent
    }

    static func describe(_ state: RemoteShell.FileState?) -> String {
        state.map { "\($0.mode) \($0.owner):\($0.group)" } ?? "missing"
    }

    static func describe(_ entry: AgentSSHDirectory.Entry) -> String {
        switch entry {
        case .directory(let state), .file(let state), .unreadable(let state): describe(state)
        default: "missing"
        }
    }
}
