package mysqlcdc

import (
	"database/sql"
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// TestSnapshotModeNever: with snapshot.mode=never and no offset the task
// takes no snapshot and reads from the first binlog file of a server of
// its own (whose binlog holds all its history): the table's creation comes
// as a schema change event from the binlog and rows written before the
// task started as creates (op c), not reads; streaming goes on after.
func TestSnapshotModeNever(t *testing.T) {
	m := testkit.StartMariaDBWith(t, testkit.MariaDBOptions{})
	db, err := sql.Open("mysql", m.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := testkit.Database{MySQLServer: m.MySQLServer, Name: "sluice", DB: db}
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))", "INSERT INTO t VALUES (1,'a'),(2,'b')",
		"UPDATE t SET name = 'x' WHERE id = 1")
	var first string
	if err := db.QueryRow("SHOW BINARY LOGS").Scan(&first, new(any)); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, d, map[string]string{SnapshotModeKey: SnapshotNever})
	got := h.startStreaming()
	got = append(got, h.poll(3-len(only(got, dataTopic(d, "t"))), dataTopic(d, "t"))...)
	var created bool
	var data []connectors.SourceRecord
	for _, r := range got {
		switch r.Topic {
		case "core":
			if ddl, _ := r.Value.(*schemas.Struct).Get("ddl").(string); ddl == "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))" {
				created = true
				src := r.Value.(*schemas.Struct).Get("source").(*schemas.Struct)
				if src.Get("file") != first || src.Get("snapshot") != "false" {
					t.Errorf("the CREATE TABLE's source: file %v snapshot %v, want the first binlog file %s, not a snapshot", src.Get("file"), src.Get("snapshot"), first)
				}
			}
		case "core.sluice.t":
			data = append(data, r)
		}
	}
	if !created {
		t.Error("no schema change event of the CREATE TABLE from the binlog")
	}
	if s := ids(t, data); s != "c1 c2 u1" {
		t.Fatalf("records %s, want c1 c2 u1 (from the binlog, no snapshot reads)", s)
	}
	for _, r := range data {
		src := r.Value.(*schemas.Struct).Get("source").(*schemas.Struct)
		if src.Get("file") != first || src.Get("snapshot") != "false" {
			t.Errorf("record source file %v snapshot %v", src.Get("file"), src.Get("snapshot"))
		}
		if _, ok := r.SourceOffset["snapshot"]; ok {
			t.Errorf("offset %v says snapshot", r.SourceOffset)
		}
	}
	d.Exec(t, "INSERT INTO t VALUES (3,'c')")
	if s := ids(t, h.poll(1, dataTopic(d, "t"))); s != "c3" {
		t.Fatalf("after: %s", s)
	}
}
