#!/usr/bin/env bash
# findings.sh: resilvet's findings on the pinned real modules, for triage.
#
#   tools/bench/findings.sh [resilvet flags...]   e.g. -ctxbackground=false
#
# Prints every finding as file:line:col: [check] message, then a count per check.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd ../.. && go build -o "$tmp/resilvet" ./cmd/resilvet)
pkgs=$(grep -v '^#' modules.txt)
go vet -vettool="$tmp/resilvet" -json "$@" $pkgs >"$tmp/out" 2>&1 || true
go run ./findings "$(go env GOMODCACHE)" <"$tmp/out"
