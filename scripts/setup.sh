#!/usr/bin/env bash
# Installs what PMControl's build, tests and demo need on a Debian machine (run as root).
# Idempotent: when everything is already there it changes nothing and takes a second.
set -euo pipefail

packages=(
    pkg-config libssh2-1-dev          # the controller's SSH (libssh2, through pkg-config)
    libsqlite3-dev                    # the controller's journal (GRDB over the system SQLite)
    openssh-server openssh-client     # private sshd instances for tests and the lab; ssh-keygen
    libvirt0 libvirt-clients          # libvirt's test driver for the agent's hypervisor calls
    ipmitool openipmi                 # IPMI: the client, and ipmi_sim for tests
    iproute2 ethtool etherwake        # the lab's namespaces and links; WoL tools
    procps sudo tmux                  # process checks, sudo -n probes, console tests
    passwd libcap2-bin                # agent install tests: useradd/userdel, setcap/getcap
)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
    [[ -x /opt/swift/usr/bin/swift ]] && export PATH=/opt/swift/usr/bin:$PATH
    command -v swift >/dev/null || { echo "setup: Swift 6 is needed (swift not on PATH)" >&2; exit 1; }
fi
mkdir -p /run/sshd
