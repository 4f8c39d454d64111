#!/usr/bin/env bash
# Usage: scripts/examples-test.sh [GO]
# Vet and test every Go module under examples/ (each is a module of its own, which the main
# module's ./... skips), with -race. Exits non-zero if any fails; runs them all regardless.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GO="${1:-go}"
rc=0
for mod in "$ROOT"/examples/*/go.mod; do
	dir="$(dirname "$mod")"
	echo "examples-test: ${dir#"$ROOT"/}"
	(cd "$dir" && "$GO" vet ./... && "$GO" test -race -count=1 -timeout 10m ./...) || rc=1
done
exit "$rc"
