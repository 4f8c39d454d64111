#!/usr/bin/env bash
# Stop the services scripts/services-up.sh started and remove $ROOT/.services.env.
# Idempotent: with nothing running it just makes sure the env file is gone. Kafka's data and
# broker.log stay under .cache/kafka for post-mortems; services-up wipes the data on next start.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
K="$ROOT/.cache/kafka"
PID_FILE="$K/broker.pid"

# Only signal a pid that still is our kafka.Kafka JVM: the pid file may be stale and the number
# reused by an unrelated process. A zombie's args don't match, so it counts as gone.
kafka_alive() {
	local pid
	pid="$(cat "$PID_FILE" 2>/dev/null)" || return 1
	[[ $pid =~ ^[0-9]+$ ]] && ps -p "$pid" -o args= 2>/dev/null | grep -q 'kafka\.Kafka'
}

# Remove the env file first: from here on tests must not pick up a broker that is going away.
rm -f "$ROOT/.services.env"

if kafka_alive; then
	pid="$(cat "$PID_FILE")"
	echo "services-down: stopping Kafka (pid $pid)"
	# TERM lets the broker shut down cleanly (controlled shutdown, log flush); KILL only if stuck.
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 60); do
		kafka_alive || break
		sleep 0.5
	done
	if kafka_alive; then
		echo "services-down: Kafka still running after 30s, sending KILL" >&2
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.5
	fi
fi
rm -f "$PID_FILE"
