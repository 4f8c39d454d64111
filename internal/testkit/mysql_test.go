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

// TestStartMariaDB runs a server of the test's own, kills it and starts it again: committed rows
// survive, and the address stays the same.
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
}
