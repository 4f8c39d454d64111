package testkit

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// TestNewDatabase creates a database of its own on the real MariaDB, uses it through DB, DSN and
// JDBCURL, and finds it dropped at the end.
func TestNewDatabase(t *testing.T) {
	var name string
	t.Run("use", func(t *testing.T) {
		d := NewDatabase(t)
		name = d.Name
		d.Exec(t, "CREATE TABLE x (id INT PRIMARY KEY)", "INSERT INTO x VALUES (1)")
		var n int
		if err := d.DB.QueryRow("SELECT COUNT(*) FROM x").Scan(&n); err != nil || n != 1 {
			t.Fatalf("count: %d, %v", n, err)
		}
		if d.JDBCURL != "jdbc:mysql://"+d.Addr+"/"+d.Name {
			t.Fatalf("JDBCURL %s", d.JDBCURL)
		}
	})
	s := MySQL(t)
	d := NewDatabase(t)
	var n int
	if err := d.DB.QueryRow("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", name).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%s after the test: %d, %v (%s)", name, n, err, s)
	}
}

// TestStartMariaDB runs a server of the test's own, kills it and starts it again, stops it and
// starts it again: committed rows survive, and the address stays the same; root may do what the
// test user may not.
func TestStartMariaDB(t *testing.T) {
	m := StartMariaDB(t)
	db, err := sql.Open("mysql", m.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{"CREATE TABLE x (id INT PRIMARY KEY)", "INSERT INTO x VALUES (1), (2)"} {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	m.Kill9()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err == nil {
		t.Fatal("the server answers after Kill9")
	}
	m.Restart()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM x").Scan(&n); err != nil || n != 2 {
		t.Fatalf("after the restart: %d rows, %v", n, err)
	}
	m.Stop()
	if err := db.PingContext(ctx); err == nil {
		t.Fatal("the server answers after Stop")
	}
	m.Restart()
	if err := db.QueryRow("SELECT COUNT(*) FROM x").Scan(&n); err != nil || n != 2 {
		t.Fatalf("after the second restart: %d rows, %v", n, err)
	}
	root, err := sql.Open("mysql", m.RootDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if _, err := root.Exec("FLUSH BINARY LOGS"); err != nil {
		t.Fatalf("root: FLUSH BINARY LOGS: %v", err)
	}
}

// TestStartMariaDBBinlog runs servers of the test's own with each kind of binary log and finds
// the server's variables as asked.
func TestStartMariaDBBinlog(t *testing.T) {
	for _, c := range []struct {
		binlog, logBin, format string
	}{
		{"", "1", "ROW"},
		{"STATEMENT", "1", "STATEMENT"},
		{"OFF", "0", ""},
	} {
		t.Run("binlog="+c.binlog, func(t *testing.T) {
			m := StartMariaDBWith(t, MariaDBOptions{Binlog: c.binlog, Args: []string{"--max-connections=77"}})
			db, err := sql.Open("mysql", m.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var logBin, format, maxConn string
			if err := db.QueryRow("SELECT @@log_bin, @@binlog_format, @@max_connections").Scan(&logBin, &format, &maxConn); err != nil {
				t.Fatal(err)
			}
			if logBin != c.logBin || (c.format != "" && format != c.format) || maxConn != "77" {
				t.Fatalf("log_bin=%s binlog_format=%s max_connections=%s, want log_bin=%s binlog_format=%s max_connections=77",
					logBin, format, maxConn, c.logBin, c.format)
			}
		})
	}
}
