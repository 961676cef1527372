#!/usr/bin/env bash
# The lab: a simulated fleet in network namespaces, for the demo and the end-to-end tests.
#
#   lab/lab.sh up [N]    build N hosts (default 6) and start them; idempotent (an existing lab is kept)
#   lab/lab.sh down      stop every process the lab recorded and delete its namespaces
#   lab/lab.sh status    one line per host: namespace, address, power, wol, sshd
#   lab/lab.sh fault KIND HOST...   break hosts on purpose (the fault suite), inside their own
#                        namespaces and run folders only; KIND is one of:
#       link-down    eth0 down in the host's namespace: nothing reaches it (ARP fails)
#       drop         every packet the host sends is dropped (netem loss 100%, or where the
#                    kernel has no sch_netem, a pfifo queue of length 0): SYNs get no answer
#       slow         the host sends at 100 bit/s after a first burst (tbf): TCP connects, the
#                    SSH handshake never finishes in any deadline a test uses
#       hang         the forced command greets and then never answers
#       deny-key     authorized_keys holds another key: authentication is refused
#       new-host-key sshd's host key is regenerated: known_hosts no longer matches
#
# Environment: PMLAB_PREFIX (namespace prefix, default "pmlab"), PMLAB_RUN (state folder,
# default lab/run), PMLAB_BIN (folder with pmagent and pmlab, default the debug build).
#
# Topology (nothing is added to the root namespace):
#   PREFIX-seg1  bridge br0, 10.77.1.0/24    PREFIX-seg2  bridge br0, 10.77.2.0/24
#   PREFIX-router  eth1 10.77.1.1 (seg1), eth2 10.77.2.1 (seg2), forwards directed broadcasts
#   PREFIX-ctl     eth0 10.77.1.250 (seg1): where pmctl runs
#   PREFIX-labNN   eth0 with MAC 02:77:00:00:00:NN; odd hosts on seg1, even on seg2,
#                  address 10.77.S.(10+NN); a private sshd whose only key runs pmagent;
#                  a pmlab power supervisor (fake power tools talk to it; it listens for WoL)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
prefix=${PMLAB_PREFIX:-pmlab}
run=${PMLAB_RUN:-$here/run}
bin=${PMLAB_BIN:-$(cd "$top" && swift build --show-bin-path 2>/dev/null || echo "$top/.build/debug")}

say() { echo "lab: $*"; }
die() { echo "lab: $*" >&2; exit 1; }

host_name() { printf 'lab%02d' "$1"; }
host_segment() { echo $(( ($1 % 2 == 1) ? 1 : 2 )); }
host_address() { echo "10.77.$(host_segment "$1").$((10 + $1))"; }
host_mac() { printf '02:77:00:00:%02x:%02x' $(($1 / 256)) $(($1 % 256)); }

# A process we started, recorded with its start time so `down` never signals a stranger
# that reused the PID.
record_pid() { echo "$1 $(awk '{print $22}' "/proc/$1/stat" 2>/dev/null || echo 0) $2" >> "$run/pids"; }
is_ours() { [[ -e /proc/$1/stat ]] && [[ "$(awk '{print $22}' "/proc/$1/stat")" == "$2" ]] && [[ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]]; }

netns() { ip netns list | awk '{print $1}' | grep -E "^$prefix-" || true; }

write_fake_tools() {   # $1 host dir
    local dir=$1 tools=$1/tools
    mkdir -p "$tools"
    # Every fake appends its exact argv (one line, arguments separated by single spaces)
    # to the host's command record, which the tests assert.
    local record='printf "%s" "$(basename "$0")" >> "$HOST_DIR/commands"; for a in "$@"; do printf " %s" "$a" >> "$HOST_DIR/commands"; done; echo >> "$HOST_DIR/commands"'
    local power='power() { echo "$1" > "$HOST_DIR/power.fifo"; }'
    for tool in poweroff halt; do
        printf '#!/bin/sh\nHOST_DIR=%s\n%s\n%s\npower off\n' "$dir" "$record" "$power" > "$tools/$tool"
    done
    printf '#!/bin/sh\nHOST_DIR=%s\n%s\n%s\npower reboot\n' "$dir" "$record" "$power" > "$tools/reboot"
    cat > "$tools/init" <<EOF
#!/bin/sh
HOST_DIR=$dir
$record
$power
case "\$1" in 0) power off ;; 6) power reboot ;; esac
EOF
    cat > "$tools/shutdown" <<EOF
#!/bin/sh
HOST_DIR=$dir
$record
$power
case "\$*" in *-r*) power reboot ;; *) power off ;; esac
EOF
    cat > "$tools/systemctl" <<EOF
#!/bin/sh
HOST_DIR=$dir
$record
$power
case "\$1" in poweroff|halt|suspend|hibernate|hybrid-sleep) power off ;; reboot) power reboot ;; esac
EOF
    cat > "$tools/wall" <<EOF
#!/bin/sh
HOST_DIR=$dir
$record
cat > /dev/null
EOF
    # veth has no Wake-on-LAN: this ethtool keeps the setting in the host's wol file.
    cat > "$tools/ethtool" <<EOF
#!/bin/sh
HOST_DIR=$dir
$record
if [ "\$1" = "-s" ]; then
    [ "\$3" = wol ] || { echo "ethtool fake: only -s IF wol X" >&2; exit 1; }
    echo "\$4" > "\$HOST_DIR/wol"
    exit 0
fi
echo "Settings for \$1:"
echo "	Supports Wake-on: pumbg"
echo "	Wake-on: \$(cat "\$HOST_DIR/wol")"
echo "	Link detected: yes"
EOF
    # Xen's xl, for the seed lines with -t xen: keeps a guest list in xl.guests.
    cat > "$tools/xl" <<EOF
#!/bin/sh
HOST_DIR=$dir
$record
guests=\$HOST_DIR/xl.guests
case "\$1" in
list)
    echo "Name                                        ID   Mem VCPUs	State	Time(s)"
    echo "Domain-0                                     0  1024     2     r-----      12.0"
    id=1
    while read -r name; do
        [ -n "\$name" ] && printf '%-40s %5d   512     1     -b----       1.5\n' "\$name" "\$id"
        id=\$((id + 1))
    done < "\$guests"
    ;;
shutdown|destroy)
    name=\$(echo "\$*" | awk '{print \$NF}')
    grep -qx "\$name" "\$guests" || { echo "xl: domain \$name not found" >&2; exit 1; }
    grep -vx "\$name" "\$guests" > "\$guests.new" || true
    mv "\$guests.new" "\$guests"
    ;;
reboot) ;;
*) echo "xl fake: \$1 not simulated" >&2; exit 1 ;;
esac
EOF
    chmod 755 "$tools"/*
}

write_node_xml() {   # $1 host dir, $2 host name: two running guests and a stopped one
    cat > "$1/node.xml" <<EOF
<node>
  <domain type="test"><name>$2-vm1</name><memory>131072</memory><os><type>hvm</type></os></domain>
  <domain type="test"><name>$2-vm2</name><memory>131072</memory><os><type>hvm</type></os></domain>
  <domain type="test" xmlns:test="http://libvirt.org/schemas/domain/test/1.0"><name>$2-old</name><memory>131072</memory><os><type>hvm</type></os><test:runstate>5</test:runstate></domain>
</node>
EOF
}

host_up() {   # $1 index
    local i=$1 name ns dir address mac segment
    name=$(host_name "$i"); ns="$prefix-$name"; dir="$run/hosts/$name"
    address=$(host_address "$i"); mac=$(host_mac "$i"); segment=$(host_segment "$i")
    mkdir -p "$dir/sysroot/proc/sys/kernel/random" "$dir/sysroot/etc"
    echo "$name" > "$dir/sysroot/etc/hostname"
    [[ -f $dir/ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$dir/ssh_host_ed25519_key"
    cat /proc/sys/kernel/random/uuid > "$dir/sysroot/proc/sys/kernel/random/boot_id"
    echo d > "$dir/wol"
    printf '%s-xen1\n%s-xen2\n' "$name" "$name" > "$dir/xl.guests"
    : > "$dir/commands"
    write_fake_tools "$dir"
    write_node_xml "$dir" "$name"
    echo "command=\"$bin/pmagent serve --tool-dir $dir/tools --libvirt-uri test://$dir/node.xml --sysroot $dir/sysroot\",restrict $(cat "$run/id_ed25519.pub")" > "$dir/authorized_keys"
    cat > "$dir/sshd_config" <<EOF
ListenAddress 0.0.0.0:22
HostKey $dir/ssh_host_ed25519_key
AuthorizedKeysFile $dir/authorized_keys
PidFile none
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxStartups 500:30:1000
# bash, root's shell, sources ~/.bashrc for every command sshd runs unless SHLVL is set:
# that would cost every session (and every benchmark) a login shell's start-up.
SetEnv SHLVL=1
LogLevel ERROR
EOF
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$prefix-seg$segment" link add "$name" type veth peer name eth0 address "$mac" netns "$ns"
    ip -n "$prefix-seg$segment" link set "$name" master br0 up
    ip -n "$ns" addr add "$address/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "10.77.$segment.1"
    echo "[$address]:22,$address $(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" >> "$run/known_hosts"
    echo "$name $ns $address $mac $segment" >> "$run/hosts.txt"
}

segment_up() {   # $1 segment number
    local ns="$prefix-seg$1"
    ip netns add "$ns"
    ip -n "$ns" link add br0 type bridge
    ip -n "$ns" link set br0 up
    # The router's leg on this segment.
    ip -n "$ns" link add rt type veth peer name "eth$1" netns "$prefix-router"
    ip -n "$ns" link set rt master br0 up
    ip -n "$prefix-router" addr add "10.77.$1.1/24" dev "eth$1"
    ip -n "$prefix-router" link set "eth$1" up
    ip netns exec "$prefix-router" sysctl -qw "net.ipv4.conf.eth$1.bc_forwarding=1" "net.ipv4.conf.eth$1.rp_filter=0"
}

write_inventory() {
    local n=$1
    {
        echo "# Written by lab/lab.sh up $n; the lab's fleet."
        echo "defaults:"
        echo "  user: root"
        echo "  port: 22"
        echo "  identity: $run/id_ed25519"
        echo "  known_hosts: $run/known_hosts"
        echo "hosts:"
        while read -r name ns address mac segment; do
            echo "  $name:"
            echo "    address: $address"
            echo "    mac: $mac"
            echo "    interface: eth0"
            echo "    broadcast: 10.77.$segment.255"
            echo "    hypervisor: libvirt"
            # lab03 runs as a guest of lab01: cancelling lab01's stack cancels lab03 first.
            if [[ $name == lab01 && $n -ge 3 ]]; then echo "    vms: [lab03]"; fi
            # Hosts on segment 2 are woken through lab01 (on segment 1), by directed broadcast.
            if [[ $segment == 2 ]]; then echo "    relay: lab01"; fi
        done < "$run/hosts.txt"
        if ((n >= 2)); then
            # The seed's S1 names: hostX is lab02 (segment 2); hostXDirectedCast is the
            # directed broadcast of its segment, as a name the inventory resolves.
            echo "  hostX:"
            echo "    address: $(host_address 2)"
            echo "    mac: $(host_mac 2)"
            echo "    broadcast: 10.77.2.255"
            echo "  hostXDirectedCast:"
            echo "    address: 10.77.2.255"
        fi
        echo "groups:"
        echo "  seg1: [$(awk '$5 == 1 {printf "%s%s", sep, $1; sep=", "}' "$run/hosts.txt")]"
        echo "  seg2: [$(awk '$5 == 2 {printf "%s%s", sep, $1; sep=", "}' "$run/hosts.txt")]"
    } > "$run/inventory.yaml"
}

up() {
    local n=${1:-6}
    [[ $n =~ ^[0-9]+$ && $n -ge 1 && $n -le 240 ]] || die "host count must be 1-240, got '$n'"
    [[ -x $bin/pmagent && -x $bin/pmlab ]] || die "no pmagent/pmlab in $bin: run 'swift build' first"
    if [[ -n $(netns) ]]; then
        say "a lab with prefix '$prefix' is already up ($(netns | wc -l) namespaces); 'down' first to rebuild"
        return 0
    fi
    [[ $(id -u) == 0 ]] || die "needs root (network namespaces)"
    rm -rf "$run"; mkdir -p "$run/hosts" /run/sshd
    : > "$run/pids"; : > "$run/known_hosts"; : > "$run/hosts.txt"
    ssh-keygen -q -t ed25519 -N '' -C pmctl@lab -f "$run/id_ed25519"

    ip netns add "$prefix-router"
    ip -n "$prefix-router" link set lo up
    ip netns exec "$prefix-router" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.bc_forwarding=1 \
        net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    segment_up 1
    segment_up 2

    ip netns add "$prefix-ctl"
    ip -n "$prefix-ctl" link set lo up
    ip -n "$prefix-seg1" link add ctl type veth peer name eth0 netns "$prefix-ctl"
    ip -n "$prefix-seg1" link set ctl master br0 up
    ip -n "$prefix-ctl" addr add 10.77.1.250/24 dev eth0
    ip -n "$prefix-ctl" link set eth0 up
    ip -n "$prefix-ctl" route add default via 10.77.1.1

    for ((i = 1; i <= n; i++)); do host_up "$i"; done
    write_inventory "$n"

    # One keeper process is the parent of every power supervisor and waits on them, so
    # none is left to PID 1 (which reaps lazily here); each supervisor owns its sshd.
    local keeper_script="$run/keeper.sh"
    {
        echo "#!/bin/bash"
        while read -r name ns address mac segment; do
            echo "ip netns exec $ns $bin/pmlab host --name $name --dir $run/hosts/$name --mac $mac & echo \$! > $run/hosts/$name/supervisor.pid"
        done < "$run/hosts.txt"
        echo "wait"
    } > "$keeper_script"
    # Close every inherited descriptor above 2 first: a test runner may have leaked another
    # command's pipe into us, and a long-lived keeper holding it would keep that pipe open.
    setsid bash -c 'for fd in /proc/$$/fd/*; do n=${fd##*/}; ((n > 2)) && eval "exec $n>&-" 2>/dev/null; done; exec bash "$0"' \
        "$keeper_script" > "$run/keeper.log" 2>&1 < /dev/null &
    record_pid $! keeper

    # Wait until every host's sshd is up, and record the supervisors.
    local deadline=$((SECONDS + 60)) name
    while read -r name ns address mac segment; do
        until [[ -s $run/hosts/$name/supervisor.pid && "$(cat "$run/hosts/$name/power" 2>/dev/null)" == on ]] \
            && ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/127.0.0.1/22" 2>/dev/null; do
            ((SECONDS < deadline)) || die "$name did not come up; see $run/hosts/$name/sshd.log"
            sleep 0.1
        done
        record_pid "$(cat "$run/hosts/$name/supervisor.pid")" "supervisor $name"
    done < "$run/hosts.txt"
    say "up: $n hosts; inventory $run/inventory.yaml; run pmctl with: ip netns exec $prefix-ctl $bin/pmctl --inventory $run/inventory.yaml ..."
}

down() {
    if [[ -f $run/pids ]]; then
        # Supervisors first (each stops its own sshd), then the keeper, by recorded PID only.
        local pid start what
        while read -r pid start what; do
            [[ $what == keeper ]] && continue
            is_ours "$pid" "$start" && kill -TERM "$pid" 2>/dev/null || true
        done < "$run/pids"
        local deadline=$((SECONDS + 10))
        while read -r pid start what; do
            while is_ours "$pid" "$start" && ((SECONDS < deadline)); do sleep 0.05; done
            is_ours "$pid" "$start" && kill -KILL "$pid" 2>/dev/null || true
        done < "$run/pids"
    fi
    local ns
    for ns in $(netns); do ip netns del "$ns"; done
    [[ -f $run/pids ]] && mv "$run/pids" "$run/pids.down"
    say "down"
}

status() {
    [[ -f $run/hosts.txt ]] || { say "no lab"; return 0; }
    local name ns address mac segment
    printf '%-7s %-14s %-12s %-18s %-5s %s\n' HOST NAMESPACE ADDRESS MAC POWER WOL
    while read -r name ns address mac segment; do
        printf '%-7s %-14s %-12s %-18s %-5s %s\n' "$name" "$ns" "$address" "$mac" \
            "$(cat "$run/hosts/$name/power" 2>/dev/null || echo '?')" "$(cat "$run/hosts/$name/wol" 2>/dev/null || echo '?')"
    done < "$run/hosts.txt"
}

# The faults of `lab.sh fault`. Each acts on one host, by name (lab07), inside the lab.
fault_link_down() { ip -n "$prefix-$1" link set eth0 down; }

fault_drop() {
    # netem is the natural tool, but kernels without sch_netem (no module, not built in)
    # answer "Specified qdisc kind is unknown"; a pfifo queue of length 0 drops every
    # packet just as surely.
    local why
    if ! why=$(tc -n "$prefix-$1" qdisc replace dev eth0 root netem loss 100% 2>&1); then
        [[ -n ${netem_note:-} ]] || echo "lab: no netem here (tc said: ${why//$'\n'/ }); drop uses a pfifo queue of length 0" >&2
        netem_note=1
        tc -n "$prefix-$1" qdisc replace dev eth0 root pfifo limit 0
    fi
}

fault_slow() { tc -n "$prefix-$1" qdisc replace dev eth0 root tbf rate 100bit burst 1600 latency 600s; }

fault_hang() {
    local dir=$run/hosts/$1
    printf '#!/bin/sh\necho "HELLO proto=1.0 agent=stuck host=%s caps=ping"\nexec /bin/cat >/dev/null\n' "$1" > "$dir/hang.sh"
    chmod 755 "$dir/hang.sh"
    sed -i -E "s|^command=\"[^\"]*\"|command=\"$dir/hang.sh\"|" "$dir/authorized_keys"
}

fault_deny_key() {
    local dir=$run/hosts/$1
    rm -f "$dir/stranger" "$dir/stranger.pub"
    ssh-keygen -q -t ed25519 -N '' -C stranger -f "$dir/stranger"
    sed -i -E "s|ssh-ed25519 [^ ]+ .*$|$(cat "$dir/stranger.pub")|" "$dir/authorized_keys"
}

fault_new_host_key() {
    # sshd re-executes itself for each connection and loads its host keys afresh, so the
    # next session shows the new key without a restart.
    local dir=$run/hosts/$1
    rm -f "$dir/ssh_host_ed25519_key" "$dir/ssh_host_ed25519_key.pub"
    ssh-keygen -q -t ed25519 -N '' -C "$1-reinstalled" -f "$dir/ssh_host_ed25519_key"
}

fault() {
    local kind=${1:-} host
    shift || true
    [[ $kind =~ ^(link-down|drop|slow|hang|deny-key|new-host-key)$ ]] \
        || die "fault kind must be link-down, drop, slow, hang, deny-key or new-host-key, got '$kind'"
    (($# > 0)) || die "fault $kind: name at least one host"
    for host in "$@"; do
        grep -q "^$host " "$run/hosts.txt" 2>/dev/null || die "fault $kind: no host '$host' in this lab"
        "fault_${kind//-/_}" "$host"
    done
}

case ${1:-} in
up) up "${2:-6}" ;;
down) down ;;
status) status ;;
fault) shift; fault "$@" ;;
*) echo "usage: lab/lab.sh up [N] | down | status | fault KIND HOST..." >&2; exit 2 ;;
esac
