import Foundation
import PMController
import PMProtocol

/// A few stand-in agents for the fan-out and cancel tests, until the real `pmagent` and
/// sshd replace them in integration: each "host" is a small POSIX sh script started over
/// pipes by the real `ProcessAgentConnector`. It speaks just enough of the protocol
/// (greeting, ping with a boot id, cancel with steps), records every request line, and
/// behaves per host as a mode file says: `ok`, `hang` (never greets), `refuse`
/// (answers not-permitted), `oldproto` (greets with protocol 2.0), `slow` (answers after 1 s),
/// `mute` (records a cancel and never answers it),
/// `sticky` (accepts its own poweroff or reboot but stays up with the same boot id).
/// A host whose own action was accepted is "down" (the script exits at once) until
/// `powerOn`; a reboot gives it a new boot id.
final class AgentLab: @unchecked Sendable {
    let directory: URL
    let script: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pmctl-agentlab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        script = directory.appendingPathComponent("fake-agent.sh")
        try Self.source.write(to: script, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var connector: ProcessAgentConnector {
        let (script, state) = (script.path, directory.path)
        return ProcessAgentConnector(executable: "/bin/sh") { host in [script, state, host.name] }
    }

    func setMode(_ mode: String, for hosts: [String]) throws {
        for host in hosts { try mode.write(to: directory.appendingPathComponent("\(host).mode"), atomically: true, encoding: .utf8) }
    }

    func isDown(_ host: String) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(host).down").path)
    }

    /// The request lines the host's agent got, in order.
    func requests(_ host: String) -> [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("\(host).requests"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Every host's requests in the order they arrived, as `host: line`.
    func journal() -> [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("all.requests"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    static let source = #"""
    #!/bin/sh
    # fake agent: STATE HOST
    set -f
    state=$1; host=$2
    [ -e "$state/$host.down" ] && exit 0
    mode=ok; [ -e "$state/$host.mode" ] && mode=$(cat "$state/$host.mode")
    [ -e "$state/$host.boot" ] || echo 1 > "$state/$host.boot"
    case $mode in
      hang) exec sleep 600 ;;
      oldproto) echo "HELLO proto=2.0 agent=9.0 host=$host caps=ping"; exec sleep 600 ;;
    esac
    echo "HELLO proto=1.0 agent=0.0-fake host=$host caps=ping,check,info,cancel"
    while IFS= read -r line; do
      echo "$line" >> "$state/$host.requests"
      echo "$host: $line" >> "$state/all.requests"
      set -- $line
      id=$2; verb=$3
      [ "$mode" = slow ] && sleep 1
      [ "$mode" = mute ] && [ "$verb" = cancel ] && exec sleep 600
      if [ "$mode" = refuse ]; then
        echo "ERR $id not-permitted message=sudo%20-n%20said%20no tool=/sbin/poweroff"; continue
      fi
      case $verb in
        ping) echo "OK $id host=$host boot=boot-$(cat "$state/$host.boot") uptime=42" ;;
        info) echo "DATA $id kind=interface name=eth0 mac=02:77:00:00:00:01"; echo "OK $id host=$host os=fake" ;;
        check) echo "DATA $id tool=poweroff path=/sbin/poweroff sudo=yes"; echo "OK $id" ;;
        cancel)
          case " $line " in
            *" method=reboot "*" self=yes "*|*" method=reset "*" self=yes "*)
               # Like the real agent: the action is under way before the answer goes out.
               [ "$mode" = sticky ] || echo $(( $(cat "$state/$host.boot") + 1 )) > "$state/$host.boot"
               echo "STEP $id step=host name=$host result=reboot-accepted"; echo "OK $id"; exit 0 ;;
            *" method=reboot "*) echo "STEP $id step=vm name=inner1 result=rebooted"; echo "OK $id" ;;
            *" self=yes "*|*" force=yes "*)
               [ "$mode" = sticky ] || touch "$state/$host.down"
               echo "STEP $id step=host name=$host result=poweroff-accepted"; echo "OK $id"; exit 0 ;;
            *) echo "STEP $id step=vm name=plain1 result=shutdown"; echo "OK $id" ;;
          esac ;;
        *) echo "ERR $id unknown-verb message=unknown%20verb verb=$verb" ;;
      esac
    done
    """#
}
