#!/usr/bin/env bash
# Install zsh and fish (Debian's packages) when they are missing: the completion tests load
# `sluice completion zsh|fish` in them (sluicecmd TestCompletionZsh, TestCompletionFish). Not a
# service: nothing runs, nothing to stop. Without them those tests skip; with CI=true this fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=lib.sh
. "$ROOT/scripts/services/lib.sh"

missing=()
for shell in zsh fish; do
	command -v "$shell" >/dev/null || missing+=("$shell")
done
((${#missing[@]} == 0)) && exit 0
mkdir -p "$ROOT/.cache"
if apt_install "$ROOT/.cache/shells.apt.log" "${missing[*]}" "${missing[@]}"; then
	exit 0
fi
if in_ci; then
	echo "services-up: ${missing[*]} not installed; CI=true requires them (the completion tests)" >&2
	exit 1
fi
echo "services-up: WARNING: ${missing[*]} not installed; their completion tests will be skipped" >&2
