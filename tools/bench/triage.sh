#!/usr/bin/env bash
# triage.sh: fails when resilvet makes a finding on the pinned real modules
# that triage.tsv does not judge; lists judged rows that no longer occur.
#
#   tools/bench/triage.sh
exec "$(dirname "$0")/findings.sh" --triage "$@"
