#!/usr/bin/env bash
# Runs every test: installs what they need, builds, runs `swift test`. Run as root (the
# tests start private sshd instances and build network namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --build-tests
if (($#)); then
    swift test --skip-build "$@"
else
    # Unit and loopback tests first, then the lab's end-to-end tests on their own, so the
    # two never compete for the machine's cores.
    swift test --skip-build --skip LabTests
    swift test --skip-build --filter LabTests
    bash scripts/docs.sh
fi
