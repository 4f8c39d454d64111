#!/usr/bin/env bash
# Stop the services scripts/services-up.sh started (the Kafka broker, Apicurio Registry, MariaDB) and
# remove $ROOT/.services.env. Idempotent: with nothing running it just makes sure the env file is
# gone. Logs stay under .cache/kafka, .cache/apicurio and .cache/mariadb for post-mortems;
# services-up wipes the broker's and the database's data on the next start (the registry keeps
# none). The Python interop venv is a cache, not a service: it stays.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=services/lib.sh
. "$ROOT/scripts/services/lib.sh"

# Remove the env file first: from here on tests must not pick up a service that is going away.
rm -f "$ROOT/.services.env"

# All at once; each only signals a pid that still is its service (see pid_alive).
stop_pid Kafka "$KAFKA_PID_FILE" "${KAFKA_ID[@]}" &
kafka=$!
stop_pid "Apicurio Registry" "$APICURIO_PID_FILE" "${APICURIO_ID[@]}" &
apicurio=$!
stop_pid MariaDB "$MARIADB_PID_FILE" "${MARIADB_ID[@]}" &
mariadb=$!
rc=0
wait "$kafka" || rc=1
wait "$apicurio" || rc=1
wait "$mariadb" || rc=1
exit "$rc"
