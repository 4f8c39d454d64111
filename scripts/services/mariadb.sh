#!/usr/bin/env bash
# Usage: scripts/services/mariadb.sh OUT
# Start MariaDB on 127.0.0.1 (Debian's mariadb-server-core, installed with apt-get when mariadbd is
# missing), without systemd, with a fresh data directory under $ROOT/.cache/mariadb, and write to
# the file OUT
#
#   MYSQL_DSN='sluice:PASSWORD@tcp(127.0.0.1:PORT)/sluice'   (go-sql-driver/mysql's form; quoted
#                        for the shell, which sources the file)
#   MYSQL_JDBC_URL=jdbc:mysql://127.0.0.1:PORT/sluice      (the connectors' connection.url)
#   MYSQL_USER=sluice  MYSQL_PASSWORD=PASSWORD
#
# The user may create and drop databases, tables and users, grant them what it has (tests make their
# own, and a user without a privilege), and read the binary log
# (REPLICATION SLAVE, BINLOG MONITOR: change data capture). The binary log is on, in ROW format
# with full row images and metadata, GTIDs in strict mode; the default character set is utf8mb4, as
# in Debian's packaged configuration and MySQL 8 (mariadbd's built-in default is latin1). Every
# start is an empty server.
#
# Run by scripts/services-up.sh (in parallel with the other services), which has stopped any
# earlier server first; on failure it prints the server's error log and exits non-zero.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=lib.sh
. "$ROOT/scripts/services/lib.sh"
OUT=${1:?usage: mariadb.sh OUT}

D="$MARIADB_DIR"
LOG="$D/error.log"
t0=$SECONDS
mkdir -p "$D"

# --- the server: Debian's packages, installed when missing (as root, or through sudo) ----------
if ! command -v mariadbd >/dev/null && [[ ! -x /usr/sbin/mariadbd ]]; then
	apt_install "$D.apt.log" MariaDB mariadb-server-core mariadb-client-core || exit 1
fi
PATH="$PATH:/usr/sbin"
for tool in mariadbd mariadb-install-db mariadb; do
	command -v "$tool" >/dev/null || { echo "services-up: $tool not found after installing MariaDB" >&2; exit 1; }
done

# --- a fresh server: new data directory, new password ---------------------------------------------
rm -rf "$D/data" "$D/run"
mkdir -p "$D/data" "$D/run" "$D/tmp" # tmp: the server's temporary files, away from the shared /tmp
: >"$LOG"
PASSWORD="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
user_opt=()
((EUID == 0)) && user_opt=(--user=root) # mariadbd refuses to run as root without it

on_exit() {
	local rc=$?
	if ((rc != 0)); then
		echo "services-up: MariaDB FAILED (exit $rc); last lines of $LOG:" >&2
		tail -n 40 "$LOG" >&2 2>/dev/null || true
	fi
}
trap on_exit EXIT

if ! mariadb-install-db --no-defaults --basedir=/usr --datadir="$D/data" "${user_opt[@]}" \
	--auth-root-authentication-method=normal --skip-test-db --tmpdir="$D/tmp" >"$D/install.log" 2>&1; then
	cat "$D/install.log" >&2
	echo "services-up: mariadb-install-db failed (output above)" >&2
	exit 1
fi

# --- port: 33306 unless taken; on a port lost between the check and the bind, the next one ---------
port=33306
sql() { mariadb --no-defaults --protocol=socket --socket="$D/run/m.sock" -uroot "$@"; }
for attempt in 1 2 3; do
	while port_busy "$port"; do
		port=$((port + 1))
		if ((port > 33400)); then echo "services-up: no free port in 33306-33400 for MariaDB" >&2; exit 1; fi
	done
	log_from=$(($(wc -c <"$LOG") + 1))
	nohup mariadbd --no-defaults --datadir="$D/data" --tmpdir="$D/tmp" --socket="$D/run/m.sock" --pid-file="$D/run/m.pid" \
		--port="$port" --bind-address=127.0.0.1 "${user_opt[@]}" --skip-name-resolve \
		--log-bin=mysql-bin --binlog-format=ROW --binlog-row-image=FULL --binlog-row-metadata=FULL \
		--server-id=1 --gtid-strict-mode=ON --max-connections=500 \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci --innodb-buffer-pool-size=256M \
		--log-error="$LOG" </dev/null >/dev/null 2>&1 &
	echo $! >"$MARIADB_PID_FILE"
	echo "services-up: MariaDB $(mariadbd --version | awk '{print $3}') starting on 127.0.0.1:$port (pid $(cat "$MARIADB_PID_FILE"))"
	deadline=$((SECONDS + 60))
	up=false
	while ((SECONDS < deadline)); do
		if ! pid_alive "$MARIADB_PID_FILE" "${MARIADB_ID[@]}"; then break; fi
		if sql -e 'select 1' >/dev/null 2>&1 && listens_here "$port" "$MARIADB_PID_FILE"; then
			up=true
			break
		fi
		sleep 0.2
	done
	$up && break
	if tail -c "+$log_from" "$LOG" 2>/dev/null | grep -q 'Address already in use\|Do you already have another'; then
		echo "services-up: port $port was taken after this script found it free; trying the next" >&2
		stop_pid MariaDB "$MARIADB_PID_FILE" "${MARIADB_ID[@]}" >&2
		port=$((port + 1))
		continue
	fi
	echo "services-up: MariaDB did not come up within 60 s" >&2
	exit 1
done
$up || { echo "services-up: MariaDB lost its port three times" >&2; exit 1; }

sql <<SQL
CREATE DATABASE sluice;
CREATE USER 'sluice'@'%' IDENTIFIED BY '$PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'sluice'@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
# The user as a client will see it: over TCP, with the password.
mariadb --no-defaults -h127.0.0.1 -P"$port" -usluice -p"$PASSWORD" sluice -e 'select 1' >/dev/null

cat >"$OUT" <<ENV
MYSQL_DSN='sluice:$PASSWORD@tcp(127.0.0.1:$port)/sluice'
MYSQL_JDBC_URL=jdbc:mysql://127.0.0.1:$port/sluice
MYSQL_USER=sluice
MYSQL_PASSWORD=$PASSWORD
ENV
echo "services-up: MariaDB ready on 127.0.0.1:$port in $((SECONDS - t0))s"
