#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a set time, one after the other.
#
#   bash fuzz/run.sh [SECONDS-PER-TARGET] [TARGET...]     default: 60 s, every target
#
# Targets: protocol (LineSplitter, LineCodec, Request), agent (the serve loop, fed the
# input as its stdin, inside an empty network namespace), inventory (InventoryLoader over
# Yams, node sets). Each is swiftc -sanitize=fuzzer,address over the module's own sources
# plus fuzz/<Name>Fuzz.swift, built under .build-fuzz/ (never the normal .build/).
#
# Seeds come from protocol/vectors and controller/examples; the grown corpus is kept in
# .build-fuzz/corpus/<target>. A crash, timeout or out-of-memory input is kept in
# fuzz/crashes/<target>-... and the script exits 1; replay one with
#   .build-fuzz/fuzz-<target> fuzz/crashes/<file>
# The last line sums up every target: executions, coverage, crashes.
set -euo pipefail

cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(protocol agent inventory)
BUILD=.build-fuzz
mkdir -p "$BUILD" fuzz/crashes
SWIFT_FLAGS=(-O -g -sanitize=fuzzer,address -parse-as-library -swift-version 6 -use-ld=lld)
# The Swift runtime's backtracer is slow to report a crash on a busy machine; libFuzzer
# prints its own stack. Leaks are not what these targets look for (libvirt and Foundation
# keep caches for the process's life).
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1

log() { printf 'fuzz: %s\n' "$*" >&2; }

# --- build ------------------------------------------------------------------------------
build_protocol_module() {
    if [ -f "$BUILD/libPMProtocol.a" ] && [ -z "$(find protocol -name '*.swift' -newer "$BUILD/libPMProtocol.a")" ]; then
        return
    fi
    log "building PMProtocol (instrumented)"
    swiftc "${SWIFT_FLAGS[@]}" -module-name PMProtocol -emit-library -static -emit-module \
        -emit-module-path "$BUILD/PMProtocol.swiftmodule" protocol/*.swift -o "$BUILD/libPMProtocol.a"
}

yams_checkout() {
    for dir in .build/checkouts/Yams "$BUILD/spm/checkouts/Yams"; do
        [ -d "$dir/Sources/Yams" ] && { echo "$dir"; return; }
    done
    swift package --scratch-path "$BUILD/spm" resolve >&2
    echo "$BUILD/spm/checkouts/Yams"
}

build_yams() {
    if [ -f "$BUILD/libYams.a" ]; then return; fi
    local yams; yams=$(yams_checkout)
    log "building libyaml and Yams (instrumented) from $yams"
    mkdir -p "$BUILD/cyaml"
    for source in "$yams"/Sources/CYaml/src/*.c; do
        clang -O1 -g -fsanitize=fuzzer-no-link,address -DYAML_DECLARE_STATIC -I "$yams/Sources/CYaml/include" \
            -c "$source" -o "$BUILD/cyaml/$(basename "$source" .c).o" || return 1
    done
    rm -f "$BUILD/libCYaml.a"
    ar rcs "$BUILD/libCYaml.a" "$BUILD"/cyaml/*.o || return 1
    rm -rf "$BUILD/cyaml-include"
    cp -r "$yams/Sources/CYaml/include" "$BUILD/cyaml-include" || return 1
    # Yams imports CYaml only when built as a package (#if SWIFT_PACKAGE).
    swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name Yams -emit-library -static -emit-module \
        -emit-module-path "$BUILD/Yams.swiftmodule" -D SWIFT_PACKAGE -I "$BUILD/cyaml-include" -Xcc -DYAML_DECLARE_STATIC \
        "$yams"/Sources/Yams/*.swift -o "$BUILD/libYams.a"
}

build_target() {
    local target=$1
    log "building fuzz-$target"
    case $target in
    protocol)
        swiftc "${SWIFT_FLAGS[@]}" -module-name ProtocolFuzz protocol/*.swift fuzz/ProtocolFuzz.swift -o "$BUILD/fuzz-protocol" ;;
    agent)
        build_protocol_module || return 1
        swiftc "${SWIFT_FLAGS[@]}" -module-name PMAgent -I "$BUILD" -L "$BUILD" -lPMProtocol \
            agent/*.swift fuzz/AgentFuzz.swift -o "$BUILD/fuzz-agent" ;;
    inventory)
        build_protocol_module || return 1
        build_yams || return 1
        swiftc "${SWIFT_FLAGS[@]}" -module-name PMController -I "$BUILD" -I "$BUILD/cyaml-include" -L "$BUILD" \
            -lPMProtocol -lYams -lCYaml controller/Inventory/*.swift controller/Plan/LoginSettings.swift fuzz/InventoryFuzz.swift -o "$BUILD/fuzz-inventory" ;;
    *) log "unknown target $target (protocol, agent, inventory)"; exit 2 ;;
    esac
}

# --- seeds --------------------------------------------------------------------------------
# The '>' lines of the conformance vectors, one file each (\xHH and \\ expanded).
vector_lines() { grep -h '^> ' protocol/vectors/lines.txt protocol/vectors/requests.txt | cut -c3-; }

make_seeds() {
    local target=$1 dir="$BUILD/seeds/$1" n=0
    rm -rf "$dir"; mkdir -p "$dir"
    case $target in
    protocol|agent)
        while IFS= read -r line; do
            n=$((n + 1)); printf '%b\n' "$line" > "$dir/vector-$n"
        done < <(vector_lines)
        # The agent also gets whole sessions: every request vector in one stream.
        if [ "$target" = agent ]; then
            grep -h '^> REQ' protocol/vectors/requests.txt | cut -c3- > "$dir/session-all"
        fi ;;
    inventory)
        cp controller/examples/*.yaml "$dir/"
        printf 'node[01-64]\nhosts:\n  node[01-04]:\n    address: 10.0.0.1\ngroups:\n  rack1: [node01, "web[1-3,7]"]\n' > "$dir/nodeset" ;;
    esac
}

# --- run ----------------------------------------------------------------------------------
summary=()
failed=0
for target in "${TARGETS[@]}"; do
    build_target "$target" 2>"$BUILD/build-$target.log" || { cat "$BUILD/build-$target.log" >&2; exit 2; }
    make_seeds "$target"
    corpus="$BUILD/corpus/$target"; mkdir -p "$corpus"
    command=("$BUILD/fuzz-$target")
    # A relayed magic packet must not leave the machine: the agent runs with no network at all.
    if [ "$target" = agent ]; then command=(unshare --net "${command[@]}"); fi
    log "running $target for $SECONDS_PER_TARGET s"
    status=0
    "${command[@]}" -max_total_time="$SECONDS_PER_TARGET" -timeout=30 -rss_limit_mb=2048 -max_len=20000 \
        -dict="fuzz/$([ "$target" = inventory ] && echo inventory || echo protocol).dict" \
        -artifact_prefix="fuzz/crashes/$target-" -print_final_stats=1 \
        "$corpus" "$BUILD/seeds/$target" > "$BUILD/run-$target.log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$BUILD/run-$target.log" | tail -1)
    coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$BUILD/run-$target.log" | tail -1)
    if [ "$status" -ne 0 ]; then
        failed=1
        grep -E 'ERROR|Fatal error|property violated|Test unit written|SUMMARY' "$BUILD/run-$target.log" | head -20 >&2
        summary+=("$target: FAILED (exit $status) after ${execs:-?} execs, $coverage; input kept in fuzz/crashes/, log $BUILD/run-$target.log")
    else
        summary+=("$target: ${execs:-?} execs in $SECONDS_PER_TARGET s, $coverage, $(ls "$corpus" | wc -l) corpus inputs, 0 crashes")
    fi
done
printf '%s\n' "${summary[@]}"
exit $failed
