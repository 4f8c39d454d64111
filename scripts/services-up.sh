#!/usr/bin/env bash
# Start the real services the integration tests run against and write their addresses to
# $ROOT/.services.env (read by internal/testkit, exported by `make test`):
#
#   KAFKA_BOOTSTRAP      Apache Kafka, one KRaft broker from Maven Central jars    (services/kafka.sh)
#   KAFKA_BOOTSTRAP_SASL_SSL, KAFKA_BOOTSTRAP_SASL_PLAIN, KAFKA_SASL_*, KAFKA_SSL_*
#                        the same broker's SASL_SSL (SCRAM-SHA-512) and SASL_PLAINTEXT (PLAIN)
#                        listeners, their user, CA and truststores                 (services/tls.sh)
#   SCHEMA_REGISTRY_URL  Apicurio Registry's Confluent-compatible API, in memory   (services/apicurio.sh)
#   SCHEMA_REGISTRY_HTTPS_URL  the same over https (certificate for localhost, signed by the CA of
#                        KAFKA_SSL_CA_FILE)                                        (services/tls.sh)
#   MYSQL_DSN, MYSQL_JDBC_URL, MYSQL_USER, MYSQL_PASSWORD
#                        MariaDB (Debian's package, installed when missing), binlog on in ROW
#                        format; a database `sluice` and a user who may create more (services/mariadb.sh)
#   INTEROP_PYTHON       a Python with Confluent's Avro serializer, for interop    (services/python-interop.sh)
#                        tests; a venv, not a service
#   SLUICE_CHROMIUM      Debian's Chromium (package chromium, installed when        (services/chromium.sh)
#                        missing) for the web console's browser test; not a service
#
# It also installs zsh and fish when missing (Debian's packages; not services), for the shell
# completion tests                                                                (services/shells.sh)
#
# No Docker needed, only Java 17+, Maven, Go, Python 3, curl and openssl (and apt-get, or MariaDB
# 10.11+ and Chromium installed). The five are set up in parallel; their state lives under
# $ROOT/.cache. Kafka, the registry and MariaDB must come up or this fails. Without the interop
# venv the interop tests are skipped, without Chromium the browser test, except with CI=true,
# where that fails too.
#
# Idempotent: if the broker and the registry are already up and .services.env names them, it does
# nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=services/lib.sh
. "$ROOT/scripts/services/lib.sh"
ENV_FILE="$ROOT/.services.env"

# The shells first: installed even when the services are up already.
bash "$ROOT/scripts/services/shells.sh"

if pid_alive "$KAFKA_PID_FILE" "${KAFKA_ID[@]}" && pid_alive "$APICURIO_PID_FILE" "${APICURIO_ID[@]}" &&
	grep -q '^KAFKA_BOOTSTRAP=' "$ENV_FILE" 2>/dev/null && grep -q '^KAFKA_BOOTSTRAP_SASL_SSL=' "$ENV_FILE" 2>/dev/null &&
	grep -q '^SCHEMA_REGISTRY_URL=' "$ENV_FILE" 2>/dev/null && grep -q '^SCHEMA_REGISTRY_HTTPS_URL=' "$ENV_FILE" 2>/dev/null &&
	pid_alive "$MARIADB_PID_FILE" "${MARIADB_ID[@]}" && grep -q '^MYSQL_DSN=' "$ENV_FILE" 2>/dev/null; then
	echo "services-up: already running ($(grep -v '^#' "$ENV_FILE" | hide_passwords | paste -sd ' '))"
	exit 0
fi
# Half-up state (a service without env file, env file without a service): start from scratch.
bash "$ROOT/scripts/services-down.sh" >/dev/null

for tool in java keytool mvn go curl flock tar openssl; do
	command -v "$tool" >/dev/null || { echo "services-up: $tool not found in PATH" >&2; exit 1; }
done

t0=$SECONDS
frag="$(mktemp -d "${TMPDIR:-/tmp}/sluice-services.XXXXXX")"
lanes=()

# On any failure or interruption: stop the setup scripts still running, then every service.
on_exit() {
	local rc=$? pid
	for pid in "${lanes[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$frag"
	if ((rc != 0)); then
		echo "services-up: FAILED (exit $rc); stopping the services" >&2
		bash "$ROOT/scripts/services-down.sh" >&2 || true
	fi
}
trap on_exit EXIT
# Turn INT/TERM into a normal exit so the EXIT trap runs.
trap 'exit 130' INT
trap 'exit 143' TERM

# TLS material for the broker's and the registry's TLS ports, new at every start.
TLS="$ROOT/.cache/tls"
bash "$ROOT/scripts/services/tls.sh" "$TLS"

bash "$ROOT/scripts/services/kafka.sh" "$frag/kafka" "$TLS" &
kafka_pid=$!
bash "$ROOT/scripts/services/apicurio.sh" "$frag/apicurio" "$TLS" &
apicurio_pid=$!
bash "$ROOT/scripts/services/python-interop.sh" "$frag/interop" &
interop_pid=$!
bash "$ROOT/scripts/services/mariadb.sh" "$frag/mariadb" &
mariadb_pid=$!
bash "$ROOT/scripts/services/chromium.sh" "$frag/chromium" &
chromium_pid=$!
lanes=("$kafka_pid" "$apicurio_pid" "$interop_pid" "$mariadb_pid" "$chromium_pid")

failed=()
wait "$kafka_pid" || failed+=(Kafka)
wait "$apicurio_pid" || failed+=("Apicurio Registry")
wait "$mariadb_pid" || failed+=(MariaDB)
interop_ok=true
wait "$interop_pid" || interop_ok=false
chromium_ok=true
wait "$chromium_pid" || chromium_ok=false
lanes=()
if ((${#failed[@]} > 0)); then
	echo "services-up: could not start: ${failed[*]} (see above)" >&2
	exit 1
fi
if ! $interop_ok; then
	if in_ci; then
		echo "services-up: no Python interop venv (see above); CI=true requires it" >&2
		exit 1
	fi
	echo "services-up: WARNING: no Python interop venv (see above); the interop tests will be skipped" >&2
fi
if ! $chromium_ok; then
	if in_ci; then
		echo "services-up: no Chromium (see above); CI=true requires it for the web console's browser test" >&2
		exit 1
	fi
	echo "services-up: WARNING: no Chromium (see above); the web console's browser test will be skipped" >&2
fi

# One write of the whole file (temp file + rename), so a reader never sees half of it.
tmp="$(mktemp "$ENV_FILE.XXXXXX")"
{
	echo "# written by scripts/services-up.sh; removed by scripts/services-down.sh"
	cat "$frag/kafka" "$frag/apicurio" "$frag/mariadb"
	if $interop_ok; then cat "$frag/interop"; fi
	if $chromium_ok; then cat "$frag/chromium"; fi
} >"$tmp"
mv -f "$tmp" "$ENV_FILE"
echo "services-up: ready in $((SECONDS - t0))s; wrote $ENV_FILE:"
grep -v '^#' "$ENV_FILE" | hide_passwords | sed 's/^/  /'
