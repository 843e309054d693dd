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
# The module's own go.sum pins every golangci-lint dependency; no -trimpath,
# so that e2e.sh's go vet reuses the compiled packages.
go build -o "$out" .
echo "built $out"
