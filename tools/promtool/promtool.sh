#!/bin/sh
# Builds promtool from the version pinned in this nested module and proves the
# repository's alert rules with it (`promtool check rules`, `promtool test
# rules`), and lints the metrics runtime/telemetry exports (`promtool check
# metrics` on a scrape written by its TestExposition).
#
# Usage: tools/promtool/promtool.sh [build|check|test|metrics|all]   (default: all)
#
# The binary lands in bin/promtool at the repository root (override with
# PROMTOOL_BIN). The build is skipped when that binary was built from the
# pinned prometheus version, so CI can cache bin/ between runs.
#
# set -e does not apply inside functions called from && lists: the functions
# below return on failure explicitly.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${PROMTOOL_BIN:-$root/bin/promtool}
rules="$root/alerts/resilience.yml"
tests="$root/alerts/resilience_test.yml"

want=$(cd "$here" && go list -m -f '{{.Version}}' github.com/prometheus/prometheus)

# The module of a binary's main package is listed as "mod" in its build info.
built_version() {
	go version -m "$1" 2>/dev/null |
		awk '($1 == "mod" || $1 == "dep") && $2 == "github.com/prometheus/prometheus" { print $3 }'
}

build() {
	if [ -x "$bin" ] && [ "$(built_version "$bin")" = "$want" ]; then
		echo "promtool: cached $bin (prometheus $want)"
		return
	fi
	echo "promtool: building prometheus $want cmd/promtool -> $bin"
	mkdir -p "$(dirname "$bin")"
	start=$(date +%s)
	(cd "$here" && CGO_ENABLED=0 go build -trimpath -o "$bin" github.com/prometheus/prometheus/cmd/promtool) || return 1
	echo "promtool: built in $(($(date +%s) - start))s"
}

metrics() {
	expo=$(mktemp)
	trap 'rm -f "$expo"' EXIT
	(cd "$root" && RESILVET_EXPOSITION="$expo" go test -count=1 -run '^TestExposition$' ./runtime/telemetry >/dev/null) || return 1
	echo "Checking metrics exported by runtime/telemetry ($(grep -c '^[a-z]' "$expo") series)"
	"$bin" check metrics <"$expo" || return 1
	echo "  SUCCESS"
}

case "${1:-all}" in
build) build ;;
check) build && "$bin" check rules "$rules" ;;
test) build && "$bin" test rules "$tests" ;;
metrics) build && metrics ;;
all) build && "$bin" check rules "$rules" && "$bin" test rules "$tests" && metrics ;;
*)
	echo "usage: $0 [build|check|test|metrics|all]" >&2
	exit 2
	;;
esac
