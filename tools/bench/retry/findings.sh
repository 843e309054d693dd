#!/usr/bin/env bash
# findings.sh: resilvet's retry-check findings on the retry corpus (modules.txt
# here, versions pinned in this directory's go.mod), for triage in
# ../triage.tsv.
#
#   tools/bench/retry/findings.sh [resilvet flags...]
#   RESILVET=/path/to/resilvet tools/bench/retry/findings.sh   # another build (before/after)
#
# Prints every finding as file:line:col: [check] message, then a count per check.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "${RESILVET:-}" ]; then
	cp "$RESILVET" "$tmp/resilvet"
else
	(cd ../../.. && go build -o "$tmp/resilvet" ./cmd/resilvet)
fi
# every package of the modules whose package and tests build with this
# go.mod (a few examples, commands and integration tests need modules the
# corpus does not pin)
all=$(grep -v '^#' modules.txt | awk '{print $1}')
go list -e -test -f '{{if or .Error .DepsErrors}}{{.ImportPath}}{{end}}' $all 2>/dev/null |
	sed 's/ \[.*//; s/\.test$//; s/_test$//' | sort -u >"$tmp/bad"
pkgs=$(go list -e $all 2>/dev/null | grep -vxF -f "$tmp/bad")
go vet -vettool="$tmp/resilvet" -json -ctxbackground=false -missingtimeout=false -lockupgrade=false "$@" $pkgs >"$tmp/out" 2>&1 || true
(cd .. && go run ./findings "$(go env GOMODCACHE)") <"$tmp/out"
