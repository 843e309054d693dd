#!/bin/sh
# End-to-end test of the golangci-lint integration, for .ci/run:
# builds bin/custom-gcl (golangci-lint v2 + the resilvet plugin) and runs it
# on examples/antipatterns with .golangci.example.yml: findings, --fix,
# settings, configuration errors, SARIF output, suppressions, the editors'
# commands of docs/golangci-lint.md and the CI gating commands of docs/ci.md.
# A cold build compiles golangci-lint and its dependencies: a few minutes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

cd "$here"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "gofmt needed in tools/custom-gcl:" >&2
	echo "$unformatted" >&2
	exit 1
fi

# The build first: it brings go.mod in step with the main module.
start=$(date +%s)
"$here/build.sh" "$root/bin/custom-gcl"
echo "build: $(($(date +%s) - start))s"
go vet ./...

"$root/bin/custom-gcl" version
# Each case runs real builds and analyses: minutes on a busy machine.
CUSTOM_GCL="$root/bin/custom-gcl" go test -count=1 -timeout=30m -v ./e2e/
