#!/usr/bin/env bash
# vetratio.sh: wall time of `go vet -vettool=resilvet` against `go vet`'s own
# suite over the same pinned real modules, and their ratio.
#
#   tools/bench/vetratio.sh [runs]
#
# go vet caches results keyed by the vet tool's identity and flags. Each timed
# run defeats that cache: resilvet runs as a fresh copy with bytes appended (a
# new identity, same code); go vet's own tool reports its release version as
# identity, so it gets a new, inert printf.funcs value instead. Both sides pay
# for analysis every run, and neither pays for compiling dependencies after
# the warm-up.
set -euo pipefail
cd "$(dirname "$0")"
runs=${1:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd ../.. && go build -o "$tmp/resilvet" ./cmd/resilvet)
vet="$(go env GOTOOLDIR)/vet"
pkgs=$(grep -v '^#' modules.txt)

fresh() { # fresh NAME SRC: a copy of SRC with a new identity
	cp "$1" "$tmp/$2"
	printf '%s' "$RANDOM$RANDOM" >>"$tmp/$2"
	echo "$tmp/$2"
}
timed() { # timed TOOL [FLAGS]: wall seconds of go vet with TOOL
	local start end tool=$1
	shift
	start=$(date +%s.%N)
	go vet -vettool="$tool" "$@" $pkgs >/dev/null 2>&1 || true
	end=$(date +%s.%N)
	awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

echo "warming the build cache (compiles every dependency once)..."
go vet $pkgs >/dev/null 2>&1 || true
go vet -vettool="$tmp/resilvet" $pkgs >/dev/null 2>&1 || true

echo "packages: $(go list $pkgs 2>/dev/null | wc -l) from $(go list -f '{{.Module.Path}}' $pkgs 2>/dev/null | sort -u | wc -l) modules; runs: $runs"
vs=() rs=()
for i in $(seq "$runs"); do
	v=$(timed "$vet" "-printf.funcs=benchNoSuchFunc$RANDOM$RANDOM")
	r=$(timed "$(fresh "$tmp/resilvet" "resilvet$i")")
	printf 'run %d: go vet %6.2fs  resilvet %6.2fs\n' "$i" "$v" "$r"
	vs+=("$v") rs+=("$r")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mv=$(median "${vs[@]}") mr=$(median "${rs[@]}")
printf 'median: go vet %.2fs, resilvet %.2fs, ratio resilvet/vet = %.2f\n' "$mv" "$mr" "$(awk -v a="$mr" -v b="$mv" 'BEGIN { print a / b }')"
