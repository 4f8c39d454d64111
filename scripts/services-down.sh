#!/usr/bin/env bash
# Stop the services scripts/services-up.sh started (the Kafka broker and Apicurio Registry) and
# remove $ROOT/.services.env. Idempotent: with nothing running it just makes sure the env file is
# gone. Logs stay under .cache/kafka and .cache/apicurio for post-mortems; services-up wipes the
# broker's data on the next start (the registry keeps none). The Python interop venv is a cache,
# not a service: it stays.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=services/lib.sh
. "$ROOT/scripts/services/lib.sh"

# Remove the env file first: from here on tests must not pick up a service that is going away.
rm -f "$ROOT/.services.env"

# Both at once; each only signals a pid that still is its service (see pid_alive).
stop_pid Kafka "$KAFKA_PID_FILE" "${KAFKA_ID[@]}" &
kafka=$!
stop_pid "Apicurio Registry" "$APICURIO_PID_FILE" "${APICURIO_ID[@]}" &
apicurio=$!
rc=0
wait "$kafka" || rc=1
wait "$apicurio" || rc=1
exit "$rc"
