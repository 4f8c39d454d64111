#!/usr/bin/env bash
# Usage: scripts/services/python-interop.sh OUT
# Make sure the Python venv for the interoperability tests exists (.cache/python-interop/venv,
# with the exact packages of internal/interop/requirements.txt: Confluent's confluent-kafka client
# with its Avro serializer), and write INTEROP_PYTHON=<the venv's python> to the file OUT. Run by
# scripts/services-up.sh in parallel with the services; it decides whether a failure here fails
# the run (CI=true) or is only a warning.
#
# The venv is cached: it is built again only when requirements.txt or the Python version changes.
# A stamp written last marks it complete, so an interrupted install is redone on the next run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT=${1:?usage: python-interop.sh OUT}
P="$ROOT/.cache/python-interop"
VENV="$P/venv"
REQ="$ROOT/internal/interop/requirements.txt"
STAMP_FILE="$P/venv.complete"

command -v python3 >/dev/null || { echo "services-up: python3 not found in PATH (needed for the interop venv)" >&2; exit 1; }
t0=$SECONDS
STAMP="$(python3 -c 'import sys; print("python=%d.%d.%d" % sys.version_info[:3])') requirements-cksum=$(cksum <"$REQ" | tr -s ' ' '-')"
if [[ "$(cat "$STAMP_FILE" 2>/dev/null)" != "$STAMP" ]]; then
	echo "services-up: building the Python interop venv (confluent-kafka) in $VENV"
	mkdir -p "$P"
	rm -rf "$VENV" "$STAMP_FILE"
	# Wheels only: nothing is compiled on the test machine. pip check: the pins are consistent.
	if ! {
		python3 -m venv "$VENV" &&
			"$VENV/bin/python" -m pip install -q --disable-pip-version-check --only-binary=:all: -r "$REQ" &&
			"$VENV/bin/python" -m pip check &&
			"$VENV/bin/python" -c 'import confluent_kafka.schema_registry.avro, fastavro'
	} >"$P/pip.log" 2>&1; then
		tail -n 30 "$P/pip.log" >&2
		echo "services-up: could not build the Python interop venv (full output in $P/pip.log)" >&2
		exit 1
	fi
	echo "$STAMP" >"$STAMP_FILE"
	echo "services-up: Python interop venv ready in $((SECONDS - t0))s"
fi
echo "INTEROP_PYTHON=$VENV/bin/python" >"$OUT"
