package mysqlcdc

import (
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// TestSignalTableCapturedOutsideFilters: a signal table in a database the
// filters leave out is captured as Debezium's (RelationalTableFilters adds
// it): its schema change event is sent, the snapshot reads none of its
// rows, and a row inserted while streaming goes to <prefix>.<db>.<table>.
func TestSignalTableCapturedOutsideFilters(t *testing.T) {
	d := testkit.NewDatabase(t)
	other := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))", "INSERT INTO t VALUES (1,'a')")
	other.Exec(t, "CREATE TABLE sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)",
		`INSERT INTO sig VALUES ('before', 'log', '{"message": "before the snapshot"}')`,
		"CREATE TABLE notcaptured (id INT PRIMARY KEY)")
	h := newHarness(t, d, map[string]string{SignalCollectionKey: other.Name + ".sig"})
	snap := h.startStreaming()
	sigTopic := "core." + other.Name + ".sig"
	var schemaOfSig, schemaOfOther bool
	for _, r := range snap {
		switch r.Topic {
		case sigTopic:
			t.Errorf("the snapshot read a row of the signal table: %v", r.Value)
		case "core":
			src := r.Value.(*schemas.Struct).Get("source").(*schemas.Struct)
			if src.Get("db") == other.Name && src.Get("table") == "sig" {
				schemaOfSig = true
			}
			if src.Get("table") == "notcaptured" {
				schemaOfOther = true
			}
		}
	}
	if !schemaOfSig {
		t.Error("no schema change event for the signal table")
	}
	if schemaOfOther {
		t.Error("a schema change event for a table the filters leave out")
	}
	other.Exec(t, `INSERT INTO sig VALUES ('s1', 'log', '{"message": "hello"}')`, "INSERT INTO notcaptured VALUES (1)")
	d.Exec(t, "INSERT INTO t VALUES (2,'b')")
	// t's row comes after the others in the binlog: once it is here, the
	// records of the others are too.
	var sig, all []connectors.SourceRecord
	for deadline := time.Now().Add(60 * time.Second); len(only(all, dataTopic(d, "t"))) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no record of t")
		}
		all = append(all, h.pollOnce(nil)...)
	}
	if c := describeRec(t, only(all, dataTopic(d, "t"))[0]); c.op != "c" || c.id != 2 {
		t.Errorf("record of t %+v", c)
	}
	for _, r := range all {
		switch r.Topic {
		case sigTopic:
			sig = append(sig, r)
		case "core." + other.Name + ".notcaptured":
			t.Error("a record of a table the filters leave out")
		}
	}
	if len(sig) != 1 {
		t.Fatalf("%d records of the signal table, want 1", len(sig))
	}
	env := sig[0].Value.(*schemas.Struct)
	after := env.Get("after").(*schemas.Struct)
	if env.Get("op") != "c" || after.Get("id") != "s1" || after.Get("type") != "log" {
		t.Errorf("signal row record %v", env)
	}
}
