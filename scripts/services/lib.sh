# Shared helpers for scripts/services-up.sh, scripts/services-down.sh and the per-service scripts
# beside this file. Sourced, not run; expects ROOT to be set to the repository root.

# hide_passwords: a filter of .services.env lines that hides the passwords in them (the *PASSWORD
# keys, and the one in MYSQL_DSN).
hide_passwords() {
	sed -e 's/^\([A-Z_]*PASSWORD\)=.*/\1=[hidden]/' -e 's/^\(MYSQL_DSN=[^:]*:\)[^@]*@/\1[hidden]@/'
}

# in_ci: the CI environment variable is true ("true", "1", "yes", ...). With CI a service that
# cannot be set up fails the run instead of being skipped.
in_ci() {
	case "${CI:-}" in
	1 | [tT] | [tT][rR][uU][eE] | [yY] | [yY][eE][sS]) return 0 ;;
	*) return 1 ;;
	esac
}

# port_busy PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# listens_here PORT PIDFILE: the process of PIDFILE is the one listening on 127.0.0.1:PORT (so a
# readiness check that passed on PORT did not pass against another checkout's service). True when
# ss (iproute2) is not installed: then only the liveness checks apply.
listens_here() {
	local port=$1 pid
	pid="$(cat "$2" 2>/dev/null)" || return 1
	command -v ss >/dev/null || return 0
	ss -ltnpH "sport = :$port" 2>/dev/null | grep -q "pid=$pid,"
}

# pid_alive PIDFILE STRING...: the pid in PIDFILE is alive and its command line contains every
# STRING. Guards against a stale pid file whose number was reused by an unrelated process; a
# zombie's (empty) args don't match either.
pid_alive() {
	local pidfile=$1 pid args s
	shift
	pid="$(cat "$pidfile" 2>/dev/null)" || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	args="$(ps -p "$pid" -o args= 2>/dev/null)" || return 1
	for s in "$@"; do
		[[ $args == *"$s"* ]] || return 1
	done
}

# stop_pid NAME PIDFILE STRING...: TERM the process (a clean shutdown), KILL it if it is still
# there after 30 s, and remove the pid file. Only ever signals a pid that pid_alive vouches for.
stop_pid() {
	local name=$1 pidfile=$2 pid
	shift 2
	if pid_alive "$pidfile" "$@"; then
		pid="$(cat "$pidfile")"
		echo "services-down: stopping $name (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 60); do
			pid_alive "$pidfile" "$@" || break
			sleep 0.5
		done
		if pid_alive "$pidfile" "$@"; then
			echo "services-down: $name still running after 30s, sending KILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.5
		fi
	fi
	rm -f "$pidfile"
}

# mvn_locked ARG...: Maven, one at a time per user (across checkouts too). The services start in
# parallel, and two Maven processes filling the same fresh ~/.m2 at once can trip over each
# other's files.
mvn_locked() {
	flock "${TMPDIR:-/tmp}/sluice-services-mvn.$(id -u).lock" mvn "$@"
}

# Per-service state directories, pid files and the strings that identify each service's process
# (see pid_alive). The directory under $ROOT/.cache is among them, so that the services of another
# checkout on the same machine never match.
KAFKA_DIR="$ROOT/.cache/kafka"
KAFKA_PID_FILE="$KAFKA_DIR/broker.pid"
KAFKA_ID=("$KAFKA_DIR/libs/" " kafka.Kafka ")
APICURIO_DIR="$ROOT/.cache/apicurio"
APICURIO_PID_FILE="$APICURIO_DIR/registry.pid"
APICURIO_ID=("$APICURIO_DIR/" "/quarkus-run.jar")
MARIADB_DIR="$ROOT/.cache/mariadb"
MARIADB_PID_FILE="$MARIADB_DIR/mariadbd.pid"
MARIADB_ID=("$MARIADB_DIR/" "mariadbd")

# apt_install LOG WHAT PKG...: install Debian packages with apt-get (as root, or through sudo -n),
# logging to LOG; a fresh machine may have no package lists yet, so the lists are updated once
# when the install fails. A lock keeps two checkouts from running apt-get at once. WHAT names
# the packages in messages. Returns non-zero, having said why, when they could not be installed.
apt_install() {
	local log=$1 what=$2 sudo=()
	shift 2
	if ((EUID != 0)); then
		command -v sudo >/dev/null || {
			echo "services-up: $what is not installed and this is not root: install $* (apt-get)" >&2
			return 1
		}
		sudo=(sudo -n)
	fi
	command -v apt-get >/dev/null || {
		echo "services-up: $what is not installed and there is no apt-get: install $*" >&2
		return 1
	}
	echo "services-up: installing $* with apt-get"
	local lock="${TMPDIR:-/tmp}/sluice-services-apt.lock"
	if ! flock "$lock" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "$@" >"$log" 2>&1; then
		flock "$lock" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$log" 2>&1 || true
		if ! flock "$lock" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1; then
			tail -n 30 "$log" >&2
			echo "services-up: apt-get could not install $* (output above, also in $log)" >&2
			return 1
		fi
	fi
}
