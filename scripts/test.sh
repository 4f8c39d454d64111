#!/usr/bin/env bash
# Usage: scripts/test.sh COMMAND [ARG...]
# Run COMMAND (e.g. `go test ./...`) from the repo root against real services: services-up,
# export .services.env, run, and ALWAYS services-down afterwards, even when COMMAND fails or
# is interrupted, so no service outlives the run. Exits with COMMAND's status.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=services/lib.sh
. "$ROOT/scripts/services/lib.sh"
(($# > 0)) || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }

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
exit "$rc"
