#!/usr/bin/env bash
# Usage: scripts/test.sh [--examples] COMMAND [ARG...]
# Run COMMAND (e.g. `go test ./...`) from the repo root against real services: services-up,
# export .services.env, run, and ALWAYS services-down afterwards, even when COMMAND fails or
# is interrupted, so no service outlives the run. Exits with COMMAND's status. With
# --examples, the modules under examples/ are tested too (scripts/examples-test.sh, with
# COMMAND's first word as the go command), against the same services, even when COMMAND
# failed; the exit status is then non-zero if either failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=services/lib.sh
. "$ROOT/scripts/services/lib.sh"
examples=false
if [[ "${1:-}" == --examples ]]; then
	examples=true
	shift
fi
(($# > 0)) || { echo "usage: $0 [--examples] COMMAND [ARG...]" >&2; exit 2; }

trap 'bash "$ROOT/scripts/services-down.sh" || echo "test.sh: services-down failed" >&2' EXIT
# Turn INT/TERM into a normal exit so the EXIT trap runs.
trap 'exit 130' INT
trap 'exit 143' TERM

bash "$ROOT/scripts/services-up.sh"
set -a
# shellcheck source=/dev/null
. "$ROOT/.services.env"
set +a

cd "$ROOT"
echo "test.sh: $(grep -v '^#' "$ROOT/.services.env" | hide_passwords | paste -sd ' '); running: $*"
rc=0
"$@" || rc=$?
if $examples; then
	bash "$ROOT/scripts/examples-test.sh" "$1" || rc=$((rc == 0 ? 1 : rc))
fi
exit "$rc"
