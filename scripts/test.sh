#!/usr/bin/env bash
# Runs every test: installs what they need, builds, runs `swift test`. Run as root (the
# tests start private sshd instances and ipmi_sim, and build network namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --build-tests
if (($#)); then
    swift test --skip-build "$@"
    exit
fi
bash scripts/docs.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Unit and loopback tests first, then the lab's end-to-end tests on their own, so the two
# never compete for the machine's cores.
status=0
swift test --skip-build --skip LabTests 2>&1 | tee "$log" || status=1
swift test --skip-build --filter LabTests 2>&1 | tee -a "$log" || status=1
# A short fuzz run per target keeps the libFuzzer targets building and catches a shallow crash;
# the long runs are `bash fuzz/run.sh 600` (fuzz/README.md).
bash fuzz/run.sh 20 || status=1
# One closing line for both runs: all tests from each run's summary, failed ones from
# their own "failed after" lines.
total=$(awk '/Test run with [0-9]+ tests? in / { n += $5 } END { print n + 0 }' "$log")
failed=$(grep -E '^✘ Test .* failed after' "$log" | grep -vc '^✘ Test run with' || true)
passed=$((total - failed))
echo "tests: $passed passed, $failed failed"
exit $status
