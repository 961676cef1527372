#!/usr/bin/env bash
# Runs every test: installs what they need, builds, runs `swift test`. Run as root (the
# tests start private sshd instances and build network namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
