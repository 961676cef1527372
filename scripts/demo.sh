#!/usr/bin/env bash
# The demo. Until the lab exists it shows the protocol: conformance vectors and round trips.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --build-tests
echo "== the line protocol: conformance vectors and property tests"
swift test --skip-build --filter PMProtocolTests
