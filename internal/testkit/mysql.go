package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// The .services.env keys (and environment variables) describing the real MariaDB server, written
// by scripts/services/mariadb.sh.
const (
	EnvMySQLDSN      = "MYSQL_DSN"
	EnvMySQLJDBCURL  = "MYSQL_JDBC_URL"
	EnvMySQLUser     = "MYSQL_USER"
	EnvMySQLPassword = "MYSQL_PASSWORD"
)

// MySQLServer is the real MariaDB server of `make services-up`, with a user who may create and
// drop databases and read the binary log.
type MySQLServer struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// User and Password are the user's credentials.
	User, Password string
	// DSN is go-sql-driver/mysql's data source name of the database `sluice`; JDBCURL is the same
	// as a connection.url (jdbc:mysql://127.0.0.1:PORT/sluice), without the credentials.
	DSN, JDBCURL string
}

// MySQL returns the real MariaDB server. There is no fallback: without one, t is skipped, or fails
// when CI is true; a configured server that does not answer fails t.
func MySQL(t testing.TB) MySQLServer {
	t.Helper()
	vals := lookupAll(t, "a real MariaDB server", EnvMySQLDSN, EnvMySQLJDBCURL, EnvMySQLUser, EnvMySQLPassword)
	cfg, err := mysql.ParseDSN(vals[EnvMySQLDSN])
	if err != nil {
		t.Fatalf("testkit: %s does not parse: %v", EnvMySQLDSN, err)
	}
	s := MySQLServer{Addr: cfg.Addr, User: vals[EnvMySQLUser], Password: vals[EnvMySQLPassword],
		DSN: vals[EnvMySQLDSN], JDBCURL: vals[EnvMySQLJDBCURL]}
	db, err := sql.Open("mysql", s.DSN)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("testkit: MariaDB at %s (%s) does not answer: %v; run `make services-up`", s.Addr, EnvMySQLDSN, err)
	}
	return s
}

// Database is a database of the test's own on the real MariaDB server, dropped when the test ends.
type Database struct {
	MySQLServer
	// Name is the database's name (sluice_test_<random hex>).
	Name string
	// DB is a connection pool to it, closed when the test ends.
	DB *sql.DB
}

// NewDatabase creates an empty database on the real MariaDB server (see [MySQL]) for t and drops
// it at t's cleanup. Its DSN and JDBCURL name the new database.
func NewDatabase(t testing.TB) Database {
	t.Helper()
	s := MySQL(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "sluice_test_" + hex.EncodeToString(b[:])
	cfg, _ := mysql.ParseDSN(s.DSN)
	admin, err := sql.Open("mysql", s.DSN)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		t.Fatalf("testkit: create database %s: %v", name, err)
	}
	cfg.DBName = name
	cfg.ParseTime = false
	d := Database{MySQLServer: s, Name: name}
	d.DSN = cfg.FormatDSN()
	d.JDBCURL = "jdbc:mysql://" + s.Addr + "/" + name
	d.DB, err = sql.Open("mysql", d.DSN)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	t.Cleanup(func() {
		_ = d.DB.Close()
		db, err := sql.Open("mysql", s.DSN)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			t.Logf("testkit: drop database %s: %v", name, err)
		}
	})
	return d
}

// Exec runs statements on the database, failing t on the first error.
func (d Database) Exec(t testing.TB, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, s := range stmts {
		if _, err := d.DB.ExecContext(ctx, s); err != nil {
			t.Fatalf("testkit: %s: %v", s, err)
		}
	}
}

// Port returns the server's TCP port.
func (s MySQLServer) Port() string {
	_, port, _ := net.SplitHostPort(s.Addr)
	return port
}

// String names the server for messages (never its password).
func (s MySQLServer) String() string { return fmt.Sprintf("MariaDB at %s as %s", s.Addr, s.User) }
