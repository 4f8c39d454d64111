#!/usr/bin/env bash
# Usage: scripts/services/chromium.sh OUT
# Make sure Debian's Chromium is installed (package chromium, installed with apt-get when
# /usr/bin/chromium is missing) for the web console's browser test (sluicecmd's
# TestConsoleInBrowser), and write SLUICE_CHROMIUM=<its path> to the file OUT. Run by
# scripts/services-up.sh in parallel with the services; it decides whether a failure here fails
# the run (CI=true) or is only a warning (the browser test then skips).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=lib.sh
. "$ROOT/scripts/services/lib.sh"
OUT=${1:?usage: chromium.sh OUT}

if [[ ! -x /usr/bin/chromium ]]; then
	mkdir -p "$ROOT/.cache"
	apt_install "$ROOT/.cache/chromium.apt.log" Chromium chromium || exit 1
fi
[[ -x /usr/bin/chromium ]] || { echo "services-up: /usr/bin/chromium not found after installing chromium" >&2; exit 1; }
echo "SLUICE_CHROMIUM=/usr/bin/chromium" >"$OUT"
