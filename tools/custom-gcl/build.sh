#!/bin/sh
# Builds bin/custom-gcl: golangci-lint v2 (the version pinned in
# tools/custom-gcl/go.mod) with the resilvet module plugin compiled in.
# Offline equivalent of `golangci-lint custom` with .custom-gcl.yml.
#
# Usage: tools/custom-gcl/build.sh [output path]   (default: bin/custom-gcl)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/bin/custom-gcl}
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
mkdir -p "$(dirname "$out")"
cd "$here"
# The module's own go.sum pins every golangci-lint dependency. -mod=mod
# follows the main module (through its replace) when its requirements move
# on; commit the go.mod/go.sum change it then reports. No -trimpath, so that
# e2e.sh's go vet reuses the compiled packages.
before=$(cat go.mod go.sum | cksum)
go build -mod=mod -o "$out" .
if [ "$(cat go.mod go.sum | cksum)" != "$before" ]; then
	echo "note: tools/custom-gcl/go.mod or go.sum updated to follow the main module; commit them" >&2
fi
echo "built $out"
