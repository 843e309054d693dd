#!/usr/bin/env bash
# findings.sh: resilvet's findings on the pinned real modules, for triage.
#
#   tools/bench/findings.sh [--triage] [--fixable] [resilvet flags...]   e.g. -ctxbackground=false
#
# Prints every finding as module@version/path/file.go:line:col: [check] message,
# then a count per check. --triage also checks the findings against triage.tsv
# and exits 1 when a finding is not judged there (see README.md); --fixable
# prints only the findings that carry a suggested fix.
set -euo pipefail
cd "$(dirname "$0")"
opts=()
while [ $# -gt 0 ]; do
	case $1 in
	--triage) opts+=(-triage triage.tsv) ;;
	--fixable) opts+=(-fixable) ;;
	*) break ;;
	esac
	shift
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd ../.. && go build -o "$tmp/resilvet" ./cmd/resilvet)
go build -o "$tmp/findings" ./findings
pkgs=$(grep -v '^#' modules.txt)
go vet -vettool="$tmp/resilvet" -json "$@" $pkgs >"$tmp/out" 2>&1 || true
if grep -q '^go: \|^vet: \|: cannot find\|: no required module' "$tmp/out"; then
	grep '^go: \|^vet: \|: cannot find\|: no required module' "$tmp/out" >&2
	echo "findings.sh: go vet could not load or analyse some packages (above)" >&2
	exit 2
fi
"$tmp/findings" "${opts[@]}" "$(go env GOMODCACHE)" <"$tmp/out"
