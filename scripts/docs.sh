#!/usr/bin/env bash
# Builds the man pages (swift-argument-parser's generate-manual plugin) and the shell
# completions of pmctl into .build/docs/, and checks that each names every subcommand.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build/docs
mkdir -p "$out/man" "$out/completions"
swift package plugin generate-manual --configuration debug > "$out/generate-manual.log" 2>&1 \
    || { cat "$out/generate-manual.log"; exit 1; }
cp .build/plugins/GenerateManual/outputs/pmctl/pmctl.1 .build/plugins/GenerateManual/outputs/pmagent/pmagent.1 "$out/man/"
bin=$(swift build --show-bin-path)
for shell in bash zsh fish; do "$bin/pmctl" --generate-completion-script "$shell" > "$out/completions/pmctl.$shell"; done

missing=0
for command in status check info cancel wake learn console ipmi history retry; do
    for file in "$out/man/pmctl.1" "$out/completions/pmctl.bash" "$out/completions/pmctl.zsh" "$out/completions/pmctl.fish"; do
        grep -q "$command" "$file" || { echo "docs: $file does not name '$command'" >&2; missing=1; }
    done
done
for command in serve check; do grep -q "$command" "$out/man/pmagent.1" || { echo "docs: pmagent.1 lacks '$command'" >&2; missing=1; }; done
((missing == 0)) && echo "docs: man pages and completions in $out name every subcommand"
exit $missing
