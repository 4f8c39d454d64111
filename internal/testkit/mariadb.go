package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// MariaDB is a MariaDB server that one test owns: unlike the shared server of [MySQL], a test may
// kill it and start it again, to prove that sluice rides out a database outage. It keeps its data
// directory and its port across restarts. Its user (root is not used) has every privilege.
type MariaDB struct {
	// MySQLServer describes the server and its database `sluice`, as [MySQL] does.
	MySQLServer

	// RootDSN is go-sql-driver/mysql's data source name of the server's root user (no password,
	// no default database), for what the test user may not do (SET GLOBAL, PURGE BINARY LOGS).
	RootDSN string

	t    testing.TB
	dir  string
	port int
	opts MariaDBOptions
	process
}

// MariaDBOptions choose how a server of the test's own runs (see [StartMariaDBWith]).
type MariaDBOptions struct {
	// Binlog is the binary log's format: "ROW" (the default: full row images and metadata, as the
	// shared server and change data capture want), "STATEMENT" or "MIXED"; "OFF" runs the server
	// without a binary log.
	Binlog string
	// Args are more mariadbd options (--name=value), appended to the defaults.
	Args []string
}

// args returns the mariadbd options for the binary log and the extra ones.
func (o MariaDBOptions) args() ([]string, error) {
	var a []string
	switch f := strings.ToUpper(o.Binlog); f {
	case "", "ROW":
		a = []string{"--log-bin=mysql-bin", "--binlog-format=ROW", "--binlog-row-image=FULL", "--binlog-row-metadata=FULL"}
	case "STATEMENT", "MIXED":
		a = []string{"--log-bin=mysql-bin", "--binlog-format=" + f}
	case "OFF":
		a = []string{"--skip-log-bin"}
	default:
		return nil, fmt.Errorf("binlog format %q: want ROW, STATEMENT, MIXED or OFF", o.Binlog)
	}
	return append(a, o.Args...), nil
}

// mariadbTool finds one of MariaDB's programs on PATH or in /usr/sbin (where Debian puts mariadbd).
func mariadbTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	p := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s not found on PATH or in /usr/sbin", name)
}

// StartMariaDB starts a MariaDB server of the test's own on a free loopback port, with a fresh
// data directory, the binary log on in ROW format, a database `sluice` and a user with a random
// password, and waits until the user can connect. It is killed when t ends, and its error log is
// shown if t failed. Without MariaDB's programs (make services-up installs them) t is skipped, or
// fails when CI is true.
func StartMariaDB(t testing.TB) *MariaDB {
	t.Helper()
	return StartMariaDBWith(t, MariaDBOptions{})
}

// StartMariaDBWith is [StartMariaDB] with a choice of binary log and more server options (a
// server without a binary log, or with statement-based logging, for the failures of change data
// capture). mariadb-install-db takes a few seconds: share one server per test where possible.
func StartMariaDBWith(t testing.TB, opts MariaDBOptions) *MariaDB {
	t.Helper()
	if _, err := opts.args(); err != nil {
		t.Fatalf("testkit: MariaDB: %v", err)
	}
	var tools [2]string
	for i, name := range []string{"mariadbd", "mariadb-install-db"} {
		p, err := mariadbTool(name)
		if err != nil {
			if inCI() {
				t.Fatalf("testkit: a MariaDB of the test's own needs %v; run `make services-up`, which installs it", err)
			}
			t.Skipf("testkit: a MariaDB of the test's own needs %v: run `make services-up`, which installs it", err)
		}
		tools[i] = p
	}
	m := &MariaDB{t: t, dir: t.TempDir(), opts: opts}
	// The server's temporary files go to a directory of its own, not the
	// shared /tmp: another process cleaning /tmp must not remove a
	// temporary table from under the bootstrap (it then fails with
	// "Unknown table 'mysql.tmp_user_sys'").
	if err := os.Mkdir(m.tmpDir(), 0o700); err != nil {
		t.Fatalf("testkit: %v", err)
	}
	args := []string{"--no-defaults", "--basedir=/usr", "--datadir=" + filepath.Join(m.dir, "data"),
		"--auth-root-authentication-method=normal", "--skip-test-db", "--tmpdir=" + m.tmpDir()}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	if out, err := exec.Command(tools[1], args...).CombinedOutput(); err != nil {
		t.Fatalf("testkit: mariadb-install-db: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		m.kill()
		if t.Failed() {
			t.Logf("testkit: last lines of MariaDB's error log %s:\n%s", m.logPath(), m.logTail(40))
		}
	})
	for attempt := 1; ; attempt++ {
		m.port = freePort(t)
		err := m.start()
		if err == nil {
			break
		}
		if !errors.Is(err, errPortTaken) || attempt == 3 {
			t.Fatalf("testkit: MariaDB: %v\n%s", err, m.logTail(40))
		}
	}
	m.Addr = fmt.Sprintf("127.0.0.1:%d", m.port)
	var b [12]byte
	_, _ = rand.Read(b[:])
	m.User, m.Password = "sluice", hex.EncodeToString(b[:])
	root := mysql.NewConfig()
	root.Net, root.Addr, root.User = "tcp", m.Addr, "root"
	db, err := sql.Open("mysql", root.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m.RootDSN = root.FormatDSN()
	for _, stmt := range []string{
		"CREATE DATABASE sluice",
		"CREATE USER 'sluice'@'%' IDENTIFIED BY '" + m.Password + "'",
		"GRANT ALL PRIVILEGES ON *.* TO 'sluice'@'%'",
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("testkit: MariaDB: %s: %v", strings.SplitN(stmt, " IDENTIFIED", 2)[0], err)
		}
	}
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.User, cfg.Passwd, cfg.DBName = "tcp", m.Addr, m.User, m.Password, "sluice"
	m.DSN = cfg.FormatDSN()
	m.JDBCURL = "jdbc:mysql://" + m.Addr + "/sluice"
	return m
}

// Kill9 kills the server with SIGKILL, as a crash would, and waits until the process is gone:
// clients see connections refused from then on.
func (m *MariaDB) Kill9() {
	m.t.Helper()
	if !m.kill() {
		m.t.Fatalf("testkit: MariaDB at %s was not running", m.Addr)
	}
}

// Stop shuts the server down cleanly (SIGTERM) and waits until the process is gone.
func (m *MariaDB) Stop() {
	m.t.Helper()
	if !m.terminate() {
		m.t.Fatalf("testkit: MariaDB at %s was not running", m.Addr)
	}
}

// Restart starts the server again on the same data directory, port and options, after
// [MariaDB.Kill9] or [MariaDB.Stop], and waits until it accepts connections (InnoDB's crash
// recovery included).
func (m *MariaDB) Restart() {
	m.t.Helper()
	if err := m.start(); err != nil {
		m.t.Fatalf("testkit: restart MariaDB: %v\n%s", err, m.logTail(40))
	}
}

// tmpDir is where the server writes its temporary files.
func (m *MariaDB) tmpDir() string { return filepath.Join(m.dir, "tmp") }

func (m *MariaDB) logPath() string { return filepath.Join(m.dir, "error.log") }

func (m *MariaDB) logTail(n int) string { return tailLines(m.logPath(), n) }

// start runs the server and waits until root can connect over TCP, or until it exits.
func (m *MariaDB) start() error {
	bin, err := mariadbTool("mariadbd")
	if err != nil {
		return err
	}
	logFrom := int64(0)
	if fi, err := os.Stat(m.logPath()); err == nil {
		logFrom = fi.Size()
	}
	args := []string{"--no-defaults", "--datadir=" + filepath.Join(m.dir, "data"), "--tmpdir=" + m.tmpDir(),
		"--socket=" + filepath.Join(m.dir, "m.sock"), "--pid-file=" + filepath.Join(m.dir, "m.pid"),
		fmt.Sprintf("--port=%d", m.port), "--bind-address=127.0.0.1", "--skip-name-resolve",
		"--server-id=1", "--gtid-strict-mode=ON", "--innodb-buffer-pool-size=64M",
		"--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci", "--log-error=" + m.logPath()}
	more, err := m.opts.args()
	if err != nil {
		return err
	}
	args = append(args, more...)
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	exited, err := m.launch(func(int) (*exec.Cmd, func(), error) { return exec.Command(bin, args...), nil, nil })
	if err != nil {
		return fmt.Errorf("start mariadbd: %w", err)
	}

	root := mysql.NewConfig()
	root.Net, root.Addr, root.User = "tcp", fmt.Sprintf("127.0.0.1:%d", m.port), "root"
	root.Timeout = 2 * time.Second
	db, err := sql.Open("mysql", root.FormatDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	var last error
	for {
		select {
		case <-exited:
			data, _ := os.ReadFile(m.logPath())
			if int64(len(data)) > logFrom && strings.Contains(string(data[logFrom:]), "Address already in use") {
				return fmt.Errorf("mariadbd exited at start: %w", errPortTaken)
			}
			return fmt.Errorf("mariadbd exited at start (last readiness error: %v)", last)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		var id string
		last = db.QueryRowContext(ctx, "SELECT @@pid_file").Scan(&id)
		cancel()
		if last == nil && id != filepath.Join(m.dir, "m.pid") {
			// Another server holds the port.
			last = fmt.Errorf("the server at 127.0.0.1:%d is another one (pid file %s)", m.port, id)
		}
		if last == nil {
			return nil
		}
		if time.Now().After(deadline) {
			m.kill()
			return fmt.Errorf("MariaDB at 127.0.0.1:%d not ready after 60s: %w", m.port, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
