#!/usr/bin/env bash
# fixcheck.sh: resilvet's suggested fixes on real code. Copies the corpus
# packages that have fixable findings to a scratch workspace, applies
# `resilvet -fix` there, builds them (tests included) and runs resilvet again.
#
#   tools/bench/fixcheck.sh [-keep]
#
# Prints, per package, whether it still compiles, then:
#   fixable   findings that carry a suggested fix
#   applied   fixes resilvet -fix applied (it skips a fix that conflicts)
#   compiled  applied fixes in packages that still build and type-check
#   cleared   fixable findings gone after the fix
#   new       findings that appear only after the fix
# and exits 1 unless every applied fix compiled and cleared its finding.
# The module cache is never written: the modules are copied first.
set -euo pipefail
cd "$(dirname "$0")"
bench=$PWD
keep=false
[ "${1:-}" = -keep ] && keep=true
tmp=$(mktemp -d)
if $keep; then echo "scratch: $tmp"; else trap 'rm -rf "$tmp"' EXIT; fi

(cd ../.. && go build -o "$tmp/resilvet" ./cmd/resilvet)
go build -o "$tmp/findings" ./findings
cache=$(go env GOMODCACHE)

# 1. The fixable findings on the corpus, as go vet sees them.
go vet -vettool="$tmp/resilvet" -json $(grep -v '^#' modules.txt) >"$tmp/vet.json" 2>&1 || true
"$tmp/findings" -fixable "$cache" <"$tmp/vet.json" | grep -E '^[^ ]+:[0-9]+:[0-9]+: \[' >"$tmp/fixable" || true
if [ ! -s "$tmp/fixable" ]; then
	echo "no fixable findings"
	exit 0
fi

# 2. A workspace: the bench module (for the pinned versions) and a writable
# copy of every module with a fixable finding.
mkdir -p "$tmp/ws/bench" "$tmp/ws/src"
cp go.mod go.sum "$tmp/ws/bench/"
printf 'go %s\n\nuse ./bench\n' "$(go mod edit -json | jq -r .Go)" >"$tmp/ws/go.work"
pkgdirs=()
while read -r modver; do
	dst="$tmp/ws/src/$modver"
	mkdir -p "$(dirname "$dst")"
	cp -r "$cache/$modver" "$dst"
	chmod -R u+w "$dst"
	if [ ! -f "$dst/go.mod" ]; then # a module from before go.mod (+incompatible)
		printf 'module %s\n\ngo 1.16\n' "$(sed 's/@.*//; s/!\([a-z]\)/\U\1/g' <<<"$modver")" >"$dst/go.mod"
	fi
	echo "use ./src/$modver" >>"$tmp/ws/go.work"
done < <(sed -E 's|^(([^@/]+/)*[^@/]+@[^/]+)/.*|\1|' "$tmp/fixable" | sort -u)
while read -r dir; do
	pkgdirs+=("./src/$dir")
done < <(sed -E 's|:[0-9]+:[0-9]+: \[.*||; s|/[^/]+$||' "$tmp/fixable" | sort -u)
cd "$tmp/ws"
export GOWORK="$tmp/ws/go.work" GOFLAGS="${GOFLAGS:-} -mod=readonly"

# key: file, check and message without numbers (fixes move lines).
keys() { sed -E 's|^(\./)?|./|; s|^(.*\.go):[0-9]+:[0-9]+: (.*) \(([a-z]+)\)$|\1\t\3\t\2|; s/[0-9]+//g' | sort; }

# 3. Before, fix, after.
"$tmp/resilvet" "${pkgdirs[@]}" >"$tmp/before" 2>"$tmp/before.err" || true
"$tmp/resilvet" -fix "${pkgdirs[@]}" >"$tmp/left" 2>"$tmp/fix.err" || true
grep -E '^resilvet: applied' "$tmp/fix.err" || { cat "$tmp/fix.err" >&2; exit 1; }
grep 'fix not applied\|fixes not applied' "$tmp/fix.err" || true
applied=$(sed -nE 's/^resilvet: applied ([0-9]+) fixes.*/\1/p' "$tmp/fix.err")

# A package's fixable findings count as compiled when it still builds and
# type-checks with its tests (go vet with one cheap pass does the latter).
compiled=0 broken=0 changed=0
for d in "${pkgdirs[@]}"; do
	diff -q "$cache/${d#./src/}" "$d" >/dev/null 2>&1 && continue
	changed=$((changed + 1))
	n=$(grep -c "^${d#./src/}/[^/]*:[0-9]" "$tmp/fixable" || true)
	if go build "$d" >"$tmp/build.out" 2>&1 && go vet -atomic "$d" >>"$tmp/build.out" 2>&1; then
		echo "compiles: $d ($n fixable)"
		compiled=$((compiled + n))
	else
		echo "BROKEN:   $d ($n fixable)"
		sed 's/^/    /' "$tmp/build.out"
		broken=$((broken + 1))
	fi
done
"$tmp/resilvet" "${pkgdirs[@]}" >"$tmp/after" 2>"$tmp/after.err" || true
grep -v '^resilvet:' "$tmp/after.err" >&2 || true

keys <"$tmp/before" >"$tmp/before.keys"
keys <"$tmp/after" >"$tmp/after.keys"
sed -E 's|:[0-9]+:[0-9]+: \[([a-z]+)\] (.*)$|\t\1\t\2|; s/[0-9]+//g; s|^|./src/|' "$tmp/fixable" | sort >"$tmp/fixable.keys"
# Multiset differences: comm works line by line on sorted input.
gone=$(comm -23 "$tmp/before.keys" "$tmp/after.keys")
cleared=$(comm -12 <(printf '%s\n' "$gone" | sed '/^$/d') "$tmp/fixable.keys" | wc -l)
new=$(comm -13 "$tmp/before.keys" "$tmp/after.keys" | sed '/^$/d' | wc -l)
fixable=$(wc -l <"$tmp/fixable")
echo
echo "packages with fixable findings: ${#pkgdirs[@]} (changed by -fix: $changed, broken: $broken)"
printf 'fixable %d  applied %d  compiled %d  cleared %d  new %d\n' "$fixable" "$applied" "$compiled" "$cleared" "$new"
if [ "$new" -gt 0 ]; then
	echo "findings only after the fix:"
	comm -13 "$tmp/before.keys" "$tmp/after.keys" | sed 's/^/    /'
fi
[ "$broken" -eq 0 ] && [ "$cleared" -eq "$applied" ] && [ "$new" -eq 0 ]
