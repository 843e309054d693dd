#!/bin/sh
# Proves the repository's alert rules with promtool (`promtool check rules`,
# `promtool test rules`) and lints the metrics runtime/telemetry exports
# (`promtool check metrics` on a scrape written by its TestExposition).
#
# Usage: tools/promtool/promtool.sh [check|test|metrics|all]   (default: all)
#
# promtool comes from PATH, or from PROMTOOL if set. Any promtool from 2.42 on
# will do; Debian's prometheus package ships one (.ci/run installs it with
# `apt-get install --no-install-recommends prometheus`).
#
# set -e does not apply inside functions called from && lists: the functions
# below return on failure explicitly.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rules="$root/alerts/resilience.yml"
tests="$root/alerts/resilience_test.yml"
promtool=${PROMTOOL:-promtool}

if ! command -v "$promtool" >/dev/null 2>&1; then
	echo "promtool not found: install Debian's prometheus package" \
		"(apt-get install --no-install-recommends prometheus), put a promtool on PATH, or set PROMTOOL" >&2
	exit 1
fi
"$promtool" --version 2>&1 | head -n 1

metrics() {
	expo=$(mktemp)
	trap 'rm -f "$expo"' EXIT
	(cd "$root" && RESILVET_EXPOSITION="$expo" go test -count=1 -run '^TestExposition$' ./runtime/telemetry >/dev/null) || return 1
	echo "Checking metrics exported by runtime/telemetry ($(grep -c '^[a-z]' "$expo") series)"
	"$promtool" check metrics <"$expo" || return 1
	echo "  SUCCESS"
}

case "${1:-all}" in
check) "$promtool" check rules "$rules" ;;
test) "$promtool" test rules "$tests" ;;
metrics) metrics ;;
all) "$promtool" check rules "$rules" && "$promtool" test rules "$tests" && metrics ;;
*)
	echo "usage: $0 [check|test|metrics|all]" >&2
	exit 2
	;;
esac
