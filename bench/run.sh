#!/usr/bin/env bash
# The fan-out benchmark (issue 9): the same trivial remote action over N lab hosts, by pmctl
# (libssh2, one process) and by OpenSSH-based peers (pdsh, ClusterShell's clush, pssh, and
# `ansible -m raw` over its ssh connection plugin), with strict host-key checking everywhere.
# See bench/README.md for what it measures and how to read the table.
#
#   bash bench/run.sh [--big] [--sizes "50 100"] [--fanouts "32 64"] [--runs 3]
#                     [--clients "pmctl pdsh clush pssh ansible"] [--pairs "200x32 100x64"]
#                     [--debug] [--no-build] [--no-fanout] [--out FILE]
#
#   --big        N = 50, 100, 200 and F = 32, 64, 128 (every pair; long: see bench/README.md)
#   --pairs      only these N x F pairs (instead of every size with every fan-out)
#   --clients    only these clients (pmctl is always kept: the ratios are against it)
#   PMBENCH_SIZES, PMBENCH_FANOUTS, PMBENCH_PAIRS, PMBENCH_CLIENTS: the same, from the environment
#   --no-fanout  skip the fan-out table; only the wake and agent figures (a lab of 2 hosts)
#   --debug      use the debug build instead of release (say so when quoting figures)
#   --no-build   use what is already built
#   --out FILE   also write the table (markdown) to FILE
#
# After the fan-out table come the wake and agent figures (bench/README.md, "Wake and agent").
#
# Runs as root: it builds a lab of network namespaces with lab/lab.sh (prefix pmbench, or
# $PMBENCH_PREFIX; state in /tmp/PREFIX) and always tears it down on exit. Nothing outside the lab's namespaces is
# touched; only processes the lab recorded are stopped.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

sizes=${PMBENCH_SIZES:-50 100}
fanouts=${PMBENCH_FANOUTS:-32 64}
pairs=${PMBENCH_PAIRS:-}
clients=${PMBENCH_CLIENTS:-pmctl pdsh clush pssh ansible}
runs=3
config=release
build=1
out=""
fanout=1
while (($#)); do
    case $1 in
    --big) sizes="50 100 200"; fanouts="32 64 128" ;;
    --sizes) sizes=$2; shift ;;
    --fanouts) fanouts=$2; shift ;;
    --pairs) pairs=$2; shift ;;
    --clients) clients=$2; shift ;;
    --runs) runs=$2; shift ;;
    --debug) config=debug ;;
    --no-build) build=0 ;;
    --out) out=$2; shift ;;
    --no-fanout) fanout=0 ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "needs root (the lab is made of network namespaces)"
[[ -d /opt/swift/usr/bin ]] && export PATH=/opt/swift/usr/bin:$PATH
unset SSH_AUTH_SOCK   # every client authenticates with the lab key only

# --- the peers (Debian packages pdsh, clustershell, pssh, ansible-core) ---------------------
# pairs: "N:F N:F ..." in run order; every size with every fan-out unless --pairs names some.
if [[ -n $pairs ]]; then
    pairs=$(echo "$pairs" | tr 'x,' ': ')
    sizes=$(for p in $pairs; do echo "${p%%:*}"; done | sort -nu | tr '\n' ' ')
else
    pairs=$(for n in $sizes; do for f in $fanouts; do printf '%s:%s ' "$n" "$f"; done; done)
fi
wants() { [[ " $clients " == *" $1 "* ]]; }
apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" > /dev/null \
        || { apt-get update -q > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" > /dev/null; }
}
missing=()
wants pdsh && ! command -v pdsh > /dev/null && missing+=(pdsh)
wants clush && ! command -v clush > /dev/null && missing+=(clustershell)
wants pssh && ! command -v parallel-ssh > /dev/null && ! command -v pssh > /dev/null && missing+=(pssh)
[[ -x /usr/bin/time ]] || missing+=(time)
((fanout)) || missing=()
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt_install "${missing[@]}"
fi
PSSH=$(command -v parallel-ssh || command -v pssh || echo parallel-ssh)
# Ansible: Debian's ansible-core; PyPI's only if Debian's cannot be installed.
ansible_from=""
if ((fanout)) && wants ansible; then
    if ! command -v ansible > /dev/null; then
        say "installing ansible-core (Debian)"
        apt_install ansible-core || {
            say "Debian's ansible-core failed; trying PyPI (pip install ansible-core)"
            command -v pip3 > /dev/null || apt_install python3-pip
            pip3 install -q --break-system-packages ansible-core > /dev/null || pip3 install -q ansible-core > /dev/null
        }
    fi
    command -v ansible > /dev/null || die "no ansible after installing it"
    if dpkg-query -W -f '${Status}' ansible-core 2> /dev/null | grep -q 'ok installed'; then
        ansible_from="Debian ansible-core $(dpkg-query -W -f '${Version}' ansible-core)"
    else
        ansible_from="PyPI ansible-core $(ansible --version | head -1 | grep -oE '[0-9][0-9.]+')"
    fi
fi

# --- build ----------------------------------------------------------------------------------
cd "$top"
if ((build)); then
    # One `swift build` per product: with several --product flags only the last is built.
    for product in pmctl pmagent pmlab; do
        say "swift build -c $config --product $product"
        swift build -c "$config" --product "$product" > /dev/null
    done
fi
BIN=$(swift build -c "$config" --show-bin-path)
for product in pmctl pmagent pmlab; do [[ -x $BIN/$product ]] || die "no $BIN/$product: build it first"; done

# --- the lab --------------------------------------------------------------------------------
PMLAB_PREFIX=${PMBENCH_PREFIX:-pmbench}
export PMLAB_PREFIX PMLAB_RUN=/tmp/$PMLAB_PREFIX PMLAB_BIN=$BIN
RUN=$PMLAB_RUN
CTL=$PMLAB_PREFIX-ctl
maxn=2   # the wake figures need lab01 (and the router's segment 2)
for n in $sizes; do ((fanout && n > maxn)) && maxn=$n; done
# The lab's sshd must take F connections at once (MaxStartups in lab/lab.sh).
startups=$(grep -oE '^MaxStartups [0-9]+' "$top/lab/lab.sh" | awk '{print $2}')
for p in $pairs; do
    ((fanout && ${p#*:} >= ${startups:-10})) && die "fan-out ${p#*:} needs the lab's sshd MaxStartups above it (lab/lab.sh has ${startups:-10})"
done
lab() { bash "$top/lab/lab.sh" "$@"; }
cleanup() {
    trap '' PIPE INT TERM HUP   # whoever reads our output may be gone: the lab still goes down
    [[ -n ${poller:-} ]] && kill "$poller" 2> /dev/null
    lab down > /dev/null 2>&1 || say "lab down failed: run 'PMLAB_PREFIX=$PMLAB_PREFIX PMLAB_RUN=$PMLAB_RUN lab/lab.sh down'"
}
trap cleanup EXIT
# A trapped signal (unlike an untrapped one) runs the EXIT trap; children get the default back.
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE
lab down > /dev/null 2>&1 || true   # a lab left by an interrupted earlier run
say "lab up $maxn (prefix $PMLAB_PREFIX)"
lab up "$maxn" > /dev/null

mapfile -t addresses < <(awk '{print $3}' "$RUN/hosts.txt")

# Each host's sshd listener: the sshd child of its `pmlab host` supervisor.
listeners=()
while read -r pid start what; do
    [[ $what == supervisor* ]] || continue
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
        [[ $(cat /proc/"$child"/comm 2>/dev/null) == sshd ]] && listeners+=("$child")
    done
done < "$RUN/pids"
((${#listeners[@]} == maxn)) || die "found ${#listeners[@]} sshd listeners for $maxn hosts"
HZ=$(getconf CLK_TCK)

# CPU (clock ticks) of every reaped child of every listener: the per-connection sshd processes
# and what they ran (the forced command, pmagent serve).
server_ticks() {
    local pid sum=0 v
    for pid in "${listeners[@]}"; do
        v=$(awk '{print $16 + $17}' /proc/"$pid"/stat)
        sum=$((sum + v))
    done
    echo "$sum"
}

# --- the clients ----------------------------------------------------------------------------
SSH_OPTS=(-F /dev/null -i "$RUN/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes
    -o UserKnownHostsFile="$RUN/known_hosts" -o GlobalKnownHostsFile=/dev/null
    -o StrictHostKeyChecking=yes -o ConnectTimeout=30 -n)
FAIR_KEX=curve25519-sha256

# run_client CLIENT KEX N F: the command line for one client, in the array `cmd`, with `env_vars`.
build_cmd() {
    local client=$1 kex=$2 n=$3 f=$4 list opts
    local -a o=("${SSH_OPTS[@]}")
    [[ $kex == default ]] || o+=(-o "KexAlgorithms=$kex")
    list=$(IFS=,; echo "${addresses[*]:0:n}")
    env_vars=()
    case $client in
    pmctl)
        cmd=("$BIN/pmctl" --inventory "$RUN/inventory.yaml" --state "$RUN/state" --yes --fanout "$f"
            status "lab[01-$(printf '%02d' "$n")]") ;;
    pdsh)
        env_vars=("PDSH_SSH_ARGS_APPEND=${o[*]}")
        cmd=(pdsh -R ssh -f "$f" -l root -w "$list" true) ;;
    clush)
        cmd=(clush -n -f "$f" -l root -o "${o[*]}" -w "$list" true) ;;
    pssh)
        printf '%s\n' "${addresses[@]:0:n}" > "$RUN/pssh_hosts.$n"
        local -a po=()
        # pssh passes each -O as `-o OPT` to ssh, and -x words as they are.
        po+=(-x "-F /dev/null -i $RUN/id_ed25519 -n")
        local i
        for ((i = 4; i < ${#o[@]}; i++)); do [[ ${o[i]} == -o ]] && po+=(-O "${o[i + 1]}"); done
        cmd=("$PSSH" -i -t 0 -p "$f" -l root -h "$RUN/pssh_hosts.$n" "${po[@]}" true) ;;
    ansible)
        # Ansible's ssh connection plugin: its default ssh_args (-C, ControlMaster=auto,
        # ControlPersist=60s) are replaced by the same options as the other peers, so no
        # master connection outlives a run (the next run would reuse it and skip the
        # handshake, and the master's CPU would escape /usr/bin/time). No -tt (use_tty off):
        # like the others, the session has no pty. Ad-hoc runs gather no facts, and `raw`
        # needs no Python on the host and no temporary directory: one ssh per host.
        # An empty ansible.cfg of our own: no /etc/ansible or ~/.ansible.cfg settings apply.
        printf '%s\n' "${addresses[@]:0:n}" > "$RUN/ansible_hosts.$n"
        : > "$RUN/ansible.cfg"
        env_vars=("ANSIBLE_SSH_ARGS=${o[*]}" ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_SSH_USETTY=False
            ANSIBLE_TIMEOUT=30 ANSIBLE_SSH_RETRIES=0 ANSIBLE_CONFIG="$RUN/ansible.cfg" ANSIBLE_NOCOLOR=1
            ANSIBLE_HOME="$RUN/ansible" ANSIBLE_LOCAL_TEMP="$RUN/ansible/tmp" ANSIBLE_GATHERING=explicit)
        cmd=(ansible all -i "$RUN/ansible_hosts.$n" -c ssh -f "$f" -u root --private-key "$RUN/id_ed25519"
            -m raw -a true) ;;
    esac
}

# How many hosts answered: pmctl by its exit status and summary, the others by the agent's
# HELLO greeting in their output (one per host).
count_ok() {   # client n outputfile rc
    local client=$1 n=$2 file=$3 rc=$4
    if [[ $client == pmctl ]]; then
        if ((rc == 0)); then echo "$n"; else grep -cE '^lab[0-9]+ +ok' "$file" || true; fi
    else
        grep -oE 'HELLO .*host=lab[0-9]+' "$file" | grep -oE 'host=lab[0-9]+' | sort -u | wc -l
    fi
}

# One timed run; appends a row to $RUN/raw.tsv:
# n f client kex run wall user sys maxrss_kib rc ok server_ticks
measure() {
    local client=$1 kex=$2 n=$3 f=$4 r=$5 before after rc ok
    build_cmd "$client" "$kex" "$n" "$f"
    before=$(server_ticks)
    rc=0
    ip netns exec "$CTL" env "${env_vars[@]}" /usr/bin/time -f '%e %U %S %M' -o "$RUN/time.out" \
        "${cmd[@]}" < /dev/null > "$RUN/client.out" 2>&1 || rc=$?
    sleep 0.3   # let every listener reap its last children
    after=$(server_ticks)
    ok=$(count_ok "$client" "$n" "$RUN/client.out" "$rc")
    if ((ok != n)); then
        say "$client kex=$kex N=$n F=$f run $r: only $ok of $n hosts answered (rc $rc); output in $RUN/fail.$client.$kex.$n.$f.$r"
        cp "$RUN/client.out" "$RUN/fail.$client.$kex.$n.$f.$r"
    fi
    read -r wall user sys rss < <(tail -n 1 "$RUN/time.out")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$f" "$client" "$kex" "$r" \
        "$wall" "$user" "$sys" "$rss" "$rc" "$ok" "$((after - before))" >> "$RUN/raw.tsv"
}

# The agent alone: pmagent serve with stdin at EOF (greeting, then exit), as sshd runs it.
agent_cmd=$(sed -E 's/^command="([^"]*)".*/\1/' "$RUN/hosts/lab01/authorized_keys")
# 20 runs under one /usr/bin/time: one run is below its 10 ms resolution.
ip netns exec "$PMLAB_PREFIX-lab01" /usr/bin/time -f '%U %S' -o "$RUN/agent.time" \
    bash -c 'for i in {1..20}; do $0 < /dev/null > /dev/null 2>&1; done' "$agent_cmd" || true
agent_ms=$(awk '{printf "%.1f", ($1 + $2) * 1000 / 20}' "$RUN/agent.time")

if ((fanout)); then
variants=("pmctl libssh2")
for c in pdsh clush pssh ansible; do wants "$c" && variants+=("$c default" "$c $FAIR_KEX"); done

# Warm-up (page cache, first-use costs), not measured.
say "warm-up"
for v in "${variants[@]}"; do
    read -r client kex <<< "$v"
    build_cmd "$client" "$kex" 4 4
    ip netns exec "$CTL" env "${env_vars[@]}" "${cmd[@]}" < /dev/null > /dev/null 2>&1 || say "warm-up of $v failed"
done

: > "$RUN/raw.tsv"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$SECONDS
for p in $pairs; do
    n=${p%%:*} f=${p#*:}
    for ((r = 1; r <= runs; r++)); do
        # Interleaved, so a slow spell of the machine hits every client alike.
        for v in "${variants[@]}"; do
            read -r client kex <<< "$v"
            say "N=$n F=$f run $r/$runs: $client ($kex)"
            measure "$client" "$kex" "$n" "$f" "$r"
        done
    done
done
elapsed=$((SECONDS - started))

# --- the table --------------------------------------------------------------------------------
table=$(awk -F'\t' -v hz="$HZ" -v runs="$runs" -v fair="$FAIR_KEX" -v cores="$(nproc)" '
function median(s,   a, k, t, i, j) {
    k = split(s, a, " ")
    for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
{
    key = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
    if (!(key in seen)) { seen[key] = 1; order[++nkeys] = key }
    wall[key] = wall[key] " " $6
    cpu[key] = cpu[key] " " ($7 + $8)
    rss[key] = rss[key] " " $9
    srv[key] = srv[key] " " ($12 / hz / $1 * 1000)
    if (!(key in okmin) || $11 < okmin[key]) okmin[key] = $11
}
END {
    print "| N | F | client | key exchange | wall s | client CPU s | CPU ms/host | peak RSS MiB | pmctl wall / this | server CPU ms/conn | CPU-bound wall s | hosts ok |"
    print "|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= nkeys; i++) {
        key = order[i]; split(key, p, SUBSEP)
        w = median(wall[key]); c = median(cpu[key]); m = median(rss[key]); s = median(srv[key])
        pk = p[1] SUBSEP p[2] SUBSEP "pmctl" SUBSEP "libssh2"
        pw = median(wall[pk])
        printf "| %d | %d | %s | %s | %.2f | %.2f | %.1f | %.1f | %s | %.1f | %.2f | %d/%d |\n", p[1], p[2], p[3], p[4], w, c, c * 1000 / p[1], m / 1024, (p[3] == "pmctl") ? "1" : sprintf("%.2f", pw / w), s, (c + s * p[1] / 1000) / cores, okmin[key], p[1]
        if (p[4] == fair) { fs = fs " " s } else if (p[3] != "pmctl") { ds = ds " " s } else { ps = ps " " s }
    }
    printf "\nServer floor (median over the rows): %.1f ms CPU per connection with %s, %.1f ms with OpenSSH default key exchange, %.1f ms for pmctl (libssh2, which negotiates %s).\n", median(fs), fair, median(ds), median(ps), fair
}' "$RUN/raw.tsv")

if wants ansible; then
    ansible_note=$(cat <<EOF
- Ansible ($ansible_from): \`ansible all -m raw -a true -f F\` with its ssh connection plugin, ANSIBLE_SSH_ARGS set
  to the same ssh options as the other peers (replacing its default \`-C -o ControlMaster=auto -o ControlPersist=60s\`,
  so no master connection is reused between runs or outlives one), no \`-tt\`, host-key checking on, no
  facts gathered (ad-hoc); behind the forced command the raw command is ignored too: each session is the
  agent's greeting. Its CPU includes its forked workers and their ssh children.
EOF
)
else
    ansible_note="- Ansible: not run (--clients)."
fi
kex_default=$(ssh -G -F /dev/null localhost 2>/dev/null | awk '$1 == "kexalgorithms" {split($2, a, ","); print a[1]}')
report=$(cat <<EOF
$table

- Medians of $runs runs; ${elapsed} s of measuring; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg). Build: $config ($BIN).
- Remote action: pmctl runs \`status\` (agent HELLO, a status request and its answer). The lab's sshd
  runs only the forced command \`pmagent serve\` for the lab key, so for pdsh, clush, pssh and ansible the
  command \`true\` is ignored: each session is the agent's HELLO greeting, then EOF on stdin (/dev/null).
- OpenSSH default key exchange here: ${kex_default:-?}. The fair rows use $FAIR_KEX, what libssh2 negotiates.
- client CPU = user + sys of the client and every child it waited for (/usr/bin/time); peak RSS is
  /usr/bin/time's %M: the largest single process of the tree, not the sum (for pdsh, clush, pssh and ansible
  that is usually the driver itself; each ssh child is smaller but there are F of them at once).
- server CPU/conn = growth of cutime+cstime of every host's sshd listener over the run, divided by N:
  the per-connection sshd processes plus the forced command they ran. \`pmagent serve\` alone, greeting
  then EOF, costs about ${agent_ms} ms CPU (mean of 20), so sshd's share is the rest.
- CPU-bound wall = (client CPU + N x server CPU/conn) / $(nproc) CPUs: the clients and all the lab's
  sshds share this machine's CPUs, so no run can be faster than that; a wall time close to it means
  the run was CPU-bound, and then the client's own CPU is what separates the clients.
$ansible_note
EOF
)
else
    report="(fan-out table skipped: --no-fanout)"
fi

# --- wake and agent figures (bench/README.md, "Wake and agent") ------------------------------
# Microseconds of wall clock, without a fork (bash 5's EPOCHREALTIME).
now_us() { echo "${EPOCHREALTIME/./}"; }
# The median of the numbers on stdin, one a line.
median_of() { sort -n | awk '{a[NR] = $1} END {if (NR == 0) print "?"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
rx_packets() { ip netns exec "$PMLAB_PREFIX-$1" cat /sys/class/net/eth0/statistics/rx_packets; }
ip -n "$CTL" link set lo up

# 1. Magic packets for 1000 MACs: `pmctl wake --no-wait --stagger 0` in the controller namespace,
# UDP to segment 1's broadcast. The 1000 hosts are made up (MACs 02:99:..., no such NIC); each
# one's "already up?" SSH check goes to a closed port on the controller's loopback and is refused
# at once, so the time is pmctl's own: check, packet, journal, for each of 1000 hosts.
wake_count=1000
{
    echo "defaults:"
    echo "  port: 1"
    echo "  identity: $RUN/id_ed25519"
    echo "  known_hosts: $RUN/known_hosts"
    echo "hosts:"
    for ((i = 1; i <= wake_count; i++)); do
        printf '  w%04d:\n    address: 127.0.0.1\n    mac: 02:99:00:00:%02x:%02x\n    broadcast: 10.77.1.255\n' \
            "$i" $((i / 256)) $((i % 256))
    done
} > "$RUN/wake-inventory.yaml"
: > "$RUN/wake.tsv"
for r in 1 2 3; do
    say "wake: 1000 magic packets, run $r/3"
    before=$(rx_packets lab01)
    rc=0
    ip netns exec "$CTL" /usr/bin/time -f '%e %U %S %M' -o "$RUN/wake.time" \
        "$BIN/pmctl" --inventory "$RUN/wake-inventory.yaml" --state "$RUN/wake-state" --yes --json \
        wake --no-wait --stagger 0 "w[0001-$wake_count]" < /dev/null > "$RUN/wake.out" 2>&1 || rc=$?
    after=$(rx_packets lab01)
    sent=$(grep -c '"outcome":"ok"' "$RUN/wake.out" || true)
    ((rc == 0)) || say "wake run $r: exit $rc, $sent sent; output in $RUN/wake.out"
    read -r wall user sys rss < <(tail -n 1 "$RUN/wake.time")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" "$rss" "$sent" "$((after - before))" "$rc" >> "$RUN/wake.tsv"
done
wake_wall=$(cut -f1 "$RUN/wake.tsv" | median_of)
wake_cpu=$(cut -f2 "$RUN/wake.tsv" | median_of)
wake_rss=$(cut -f3 "$RUN/wake.tsv" | median_of | awk '{printf "%.1f", $1 / 1024}')
wake_sent=$(cut -f4 "$RUN/wake.tsv" | sort -n | head -1)
wake_seen=$(cut -f5 "$RUN/wake.tsv" | sort -n | head -1)

# 2. From a host's sshd being back to pmctl reporting it up: lab01 is switched off through its
# power supply (WoL armed), then `pmctl wake lab01` sends the packet and waits. A poller in the
# controller namespace notes when lab01's port 22 accepts again; the figure is pmctl's exit
# minus that moment (pmctl polls TCP, then asks for the agent's greeting over SSH).
lab01_address=$(awk '$1 == "lab01" {print $3}' "$RUN/hosts.txt")
lab01_dir=$RUN/hosts/lab01
: > "$RUN/wakeup.tsv"
for r in 1 2 3; do
    say "wake: lab01 off and back, run $r/3"
    echo g > "$lab01_dir/wol"
    echo off > "$lab01_dir/power.fifo"
    for ((i = 0; i < 200; i++)); do
        ip netns exec "$CTL" bash -c "exec 3<>/dev/tcp/$lab01_address/22" 2> /dev/null || break
        sleep 0.05
    done
    ip netns exec "$CTL" bash -c \
        'until (exec 3<>/dev/tcp/'"$lab01_address"'/22) 2> /dev/null; do sleep 0.005; done; echo "${EPOCHREALTIME/./}"' \
        > "$RUN/port-back" &
    poller=$!
    rc=0
    ip netns exec "$CTL" "$BIN/pmctl" --inventory "$RUN/inventory.yaml" --state "$RUN/state" --json \
        wake --stagger 0 --timeout 60 lab01 < /dev/null > "$RUN/wakeup.out" 2>&1 || rc=$?
    reported=$(now_us)
    wait "$poller" || true
    poller=""
    back=$(cat "$RUN/port-back")
    elapsed=$(grep -o '"elapsed_ms":"\?[0-9]*' "$RUN/wakeup.out" | head -1 | grep -o '[0-9]*$' || true)
    ((rc == 0)) || say "wake lab01 run $r: exit $rc; output in $RUN/wakeup.out"
    printf '%s\t%s\t%s\n' "$(((reported - back) / 1000))" "${elapsed:-?}" "$rc" >> "$RUN/wakeup.tsv"
done
wakeup_ms=$(cut -f1 "$RUN/wakeup.tsv" | median_of)
wakeup_all=$(cut -f1 "$RUN/wakeup.tsv" | paste -sd, - | sed 's/,/, /g')
wakeup_send_ms=$(cut -f2 "$RUN/wakeup.tsv" | median_of)

# 3. The agent: time from exec to its greeting, and its peak RSS, as lab01's sshd runs it.
say "agent: exec to greeting (20 runs) and RSS"
ip netns exec "$PMLAB_PREFIX-lab01" bash -c '
    for i in {1..20}; do
        t0=${EPOCHREALTIME/./}
        coproc AGENT { exec $0 2> /dev/null; }
        read -r line <&"${AGENT[0]}"
        t1=${EPOCHREALTIME/./}
        eval "exec ${AGENT[1]}>&-"
        wait "$AGENT_PID"
        [[ $line == HELLO* ]] && echo $((t1 - t0))
    done' "$agent_cmd" > "$RUN/greeting.us"
greeting_ms=$(median_of < "$RUN/greeting.us" | awk '{printf "%.1f", $1 / 1000}')
greeting_max=$(sort -n "$RUN/greeting.us" | tail -1 | awk '{printf "%.1f", $1 / 1000}')
greeting_runs=$(wc -l < "$RUN/greeting.us")
# shellcheck disable=SC2086 # agent_cmd is a command line
ip netns exec "$PMLAB_PREFIX-lab01" /usr/bin/time -f '%M' -o "$RUN/agent-idle.rss" $agent_cmd < /dev/null > /dev/null 2>&1 || true
# shellcheck disable=SC2086
printf 'REQ a ping\nREQ b info\nREQ c check\n' \
    | ip netns exec "$PMLAB_PREFIX-lab01" /usr/bin/time -f '%M' -o "$RUN/agent-busy.rss" $agent_cmd > "$RUN/agent-busy.out" 2>&1 || true
agent_idle_rss=$(awk '{printf "%.1f", $1 / 1024}' "$RUN/agent-idle.rss")
agent_busy_rss=$(awk '{printf "%.1f", $1 / 1024}' "$RUN/agent-busy.rss")

extra=$(cat <<EOF
| figure | result | how |
|---|---|---|
| magic packets for $wake_count MACs | $wake_wall s wall, $wake_cpu s CPU, peak RSS $wake_rss MiB; $wake_sent of $wake_count sent, $wake_seen frames seen by lab01 | \`pmctl wake --no-wait --stagger 0\` from the controller namespace, UDP to 10.77.1.255; median of 3 runs; each host first gets an "already up?" SSH check (refused at once: closed port), then its packet and a journal entry |
| sshd back to pmctl reporting up | $wakeup_ms ms (runs: $wakeup_all) | lab01 switched off (WoL armed), \`pmctl wake lab01\`; from the moment its port 22 accepts again to pmctl's exit; pmctl polls TCP at most 1 s apart, then waits for the agent's greeting over SSH. Packet to greeting (pmctl's elapsed_ms): $wakeup_send_ms ms, median |
| agent: exec to greeting | $greeting_ms ms median, $greeting_max ms worst ($greeting_runs runs) | lab01's forced command (\`pmagent serve\` with its sysroot, tool dir and libvirt test driver) started by bash, until its HELLO line is read |
| agent: peak RSS | $agent_idle_rss MiB greeting then EOF; $agent_busy_rss MiB after PING, INFO and CHECK | \`/usr/bin/time -f %M\` (INFO lists interfaces and libvirt test-driver guests; CHECK looks up every tool) |
EOF
)
report="$report

## Wake and agent

$extra"

machine="$(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Machine: $machine"
echo "$report"
if [[ -n $out ]]; then
    { echo "Machine: $machine"; echo; echo "$report"; } > "$out"
    say "table written to $out"
fi
