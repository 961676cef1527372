#!/usr/bin/env bash
# The demo: a simulated fleet of six hosts in network namespaces (lab/lab.sh), driven by
# pmctl over real SSH, with real magic packets. Run as root. Takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
echo "== building"
swift build 2>&1 | tail -1
bin=$(swift build --show-bin-path)

export PMLAB_PREFIX=pmdemo PMLAB_RUN=/tmp/pmdemo PMLAB_BIN=$bin
trap 'echo; echo "== tearing the lab down"; bash lab/lab.sh down' EXIT
bash lab/lab.sh down >/dev/null 2>&1 || true
bash lab/lab.sh up 6

# pmctl runs in the lab's controller namespace, with the inventory the lab wrote.
export PMCTL_INVENTORY=$PMLAB_RUN/inventory.yaml PMCTL_STATE=$PMLAB_RUN/state
pmctl() { ip netns exec pmdemo-ctl "$bin/pmctl" "$@"; }
step() { echo; echo "== $*"; }

step "the fleet: lab01, lab03, lab05 on segment 1 (with the controller); lab02, lab04, lab06 on segment 2"
cat "$PMLAB_RUN/inventory.yaml" | sed -n '/^  lab01:/,/^  lab02:/p' | head -12
step "pmctl status @seg1 @seg2        (is every agent up? boot id, uptime)"
pmctl status @seg1 @seg2

step "pmctl --dry-run -t pm -a cancel=1:tst100,POWEROFF:0 lab01        (the plan, touching nothing)"
pmctl --dry-run -t pm -a cancel=1:tst100,POWEROFF:0 lab01

step "pmctl -t pm -a cancel=1:tst100,POWEROFF:0 lab01        (seed S3: lab01's stack goes down, lab01 stays up)"
echo "   lab03 is a guest of lab01 running its own agent: it goes first, through that agent."
pmctl -t pm -a cancel=1:tst100,POWEROFF:0 lab01

step "pmctl cancel lab04 --wol --self --delay 0        (guests down, NIC armed for WoL, then the host powers off)"
pmctl cancel lab04 --wol --self --delay 0
bash lab/lab.sh status | grep -E "HOST|lab04"

step "pmctl wake lab04        (lab01 relays: a directed broadcast to segment 2, through the router; wait for the agent)"
pmctl wake lab04

step "pmctl cancel lab05 --method reboot --self --delay 0        (reboot, confirmed by a new boot id)"
pmctl cancel lab05 --method reboot --self --delay 0

step "pmctl status 'lab[01-06]'        (a fan-out over all: lab03 stays down, it was powered off in S3 without WoL)"
pmctl status 'lab[01-06]' || echo "   (exit code $?: at least one host not ok, as expected)"

step "pmctl --json status lab02 lab03        (the same for scripts: one JSON object per host, then a summary)"
pmctl --json status lab02 lab03 || true

step "pmctl history        (every run is journaled; 'pmctl retry RUN --failed' re-runs the hosts that did not end ok)"
pmctl history --last 8
