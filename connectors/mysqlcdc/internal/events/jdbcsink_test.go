package events

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	driver "github.com/go-sql-driver/mysql"

	jdbcsink "github.com/sluicehq/sluice/connectors/jdbc/sink"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/transforms"
)

// TestEveryTypeThroughExtractNewRecordStateAndJDBCSink reads the every-type rows (typical
// values, NULLs, extremes) as the snapshot reads them, makes them Debezium read events, flattens
// them with ExtractNewRecordState (Debezium's defaults) and writes them with the JDBC sink
// (auto.create, upsert, record_key, deletes) into another table of the real MariaDB; each row
// there must equal the source row, column by column. A delete event and its tombstone then remove
// a row.
func TestEveryTypeThroughExtractNewRecordStateAndJDBCSink(t *testing.T) {
	d := testkit.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The snapshot's session: UTC, text protocol, no time parsing.
	cfg, err := driver.ParseDSN(d.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ParseTime = false
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	cols := everyType()
	defs := make([]string, len(cols))
	tbl := &tables.Table{ID: tables.ID{DB: d.Name, Table: "every_type"}, PrimaryKey: []string{"id"}, DefaultCharset: "utf8mb4"}
	for i, c := range cols {
		defs[i] = c.sql
		c.col.Position = i + 1
		tbl.Columns = append(tbl.Columns, c.col)
	}
	exec := func(stmts ...string) {
		t.Helper()
		for _, s := range stmts {
			if _, err := db.ExecContext(ctx, s); err != nil {
				t.Fatalf("%.60s: %v", s, err)
			}
		}
	}
	exec("CREATE TABLE every_type (" + strings.Join(defs, ", ") + ") DEFAULT CHARSET=utf8mb4")
	// The first three rows: row 4's zero dates and invalid values need sql_mode '' and become
	// nulls or defaults in Debezium's events, so they cannot arrive as they are.
	for _, r := range everyTypeRows[:3] {
		exec("INSERT INTO every_type VALUES (" + r + ")")
	}

	// The sink takes no spatial values (Debezium's Geometry and Point structs), and Debezium
	// leaves INET6 out of the events: the copy has the other columns.
	skipped := map[string]bool{"g": true, "pt": true, "ip": true}
	e := newEvents(t, "dbserver1", Modes{})
	tb, err := e.Table(tbl, func(col string) bool { return !skipped[col] })
	if err != nil {
		t.Fatal(err)
	}
	kept := cols[:0:0]
	for _, c := range cols {
		if !skipped[c.col.Name] {
			kept = append(kept, c)
		}
	}
	var smt transforms.Transformation
	for _, p := range transforms.Builtins() {
		if p.Class == "io.debezium.transforms.ExtractNewRecordState" {
			smt = p.NewTransformation()
		}
	}
	if smt == nil {
		t.Fatal("ExtractNewRecordState is not a built-in transformation")
	}
	if err := smt.Configure(map[string]string{}); err != nil {
		t.Fatal(err)
	}
	task := jdbcsink.New().NewTask()
	if err := task.Start(ctx, sinkContext{t: t}, map[string]string{
		"name": "every-type", "connection.url": d.JDBCURL, "connection.user": d.User, "connection.password": d.Password,
		"auto.create": "true", "insert.mode": "upsert", "pk.mode": "record_key", "delete.enabled": "true",
		"replace.null.with.default": "false", "table.name.format": "copy",
	}); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = task.Stop(context.Background()) }()
	offset := int64(0)
	// put flattens the source records and writes what ExtractNewRecordState keeps.
	put := func(in ...connectors.SourceRecord) {
		t.Helper()
		var out []connectors.SinkRecord
		for _, r := range in {
			tr := transforms.Record{Record: r.Record, Offset: offset, Sink: true}
			offset++
			keep, err := smt.Apply(&tr)
			if err != nil {
				t.Fatal(err)
			}
			if keep {
				out = append(out, connectors.SinkRecord{Record: tr.Record, Offset: tr.Offset,
					OriginalTopic: r.Topic, OriginalOffset: tr.Offset})
			}
		}
		if err := task.Put(ctx, out); err != nil {
			t.Fatal(err)
		}
	}

	rows, err := db.QueryContext(ctx, "SELECT "+tb.SelectList()+" FROM every_type ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var records []connectors.SourceRecord
	for rows.Next() {
		dest, raw := tb.ScanDest()
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		key, value, err := tb.RowFromSQL(raw)
		if err != nil {
			t.Fatal(err)
		}
		src := e.Source(&Source{Snapshot: SnapshotTrue, DB: d.Name, Table: "every_type", ServerID: 1, File: "mysql-bin.000001", Pos: 4, Thread: -1})
		env, err := tb.Envelope(OpRead, nil, value, src, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, connectors.SourceRecord{Record: connectors.Record{Topic: tb.Topic,
			KeySchema: tb.KeySchema, Key: key, ValueSchema: tb.EnvelopeSchema, Value: env}})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(records) != 3 {
		t.Fatalf("%d rows read, want 3", len(records))
	}
	put(records...)

	// How the copy's columns compare with the source's: BIT as numbers, bytes in hex, an
	// unsigned BIGINT (a Java long in Debezium's default mode, so negative in the copy's
	// BIGINT) as unsigned, FLOAT(7,3) (a double in the events) at its scale.
	read := map[string]string{"b1": "%s+0", "b10": "%s+0", "b64": "%s+0", "bin": "HEX(%s)", "vbin": "HEX(%s)",
		"blb": "HEX(%s)", "biu": "CAST(%s AS UNSIGNED)", "f73": "ROUND(%s, 3)"}
	zeros := regexp.MustCompile(`(\d\d:\d\d:\d\d)(\.\d*?)0*$`)
	dump := func(table string) []string {
		t.Helper()
		var exprs []string
		for _, c := range kept {
			q := "`" + c.col.Name + "`"
			if f, ok := read[c.col.Name]; ok {
				q = fmt.Sprintf(f, q)
			}
			exprs = append(exprs, q)
		}
		rs, err := db.QueryContext(ctx, "SELECT "+strings.Join(exprs, ", ")+" FROM "+table+" ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var out []string
		for rs.Next() {
			raw := make([]sql.RawBytes, len(kept))
			dest := make([]any, len(kept))
			for i := range raw {
				dest[i] = &raw[i]
			}
			if err := rs.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for i, v := range raw {
				s := "NULL"
				if v != nil {
					s = strings.TrimSuffix(zeros.ReplaceAllString(string(v), "$1$2"), ".")
				}
				parts = append(parts, kept[i].col.Name+"="+s)
			}
			out = append(out, strings.Join(parts, " "))
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	compare := func() {
		t.Helper()
		want, got := dump("every_type"), dump("copy")
		if len(got) != len(want) {
			t.Fatalf("the copy has %d rows, the source %d:\n got %v\nwant %v", len(got), len(want), got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("row %d:\n got %s\nwant %s", i+1, got[i], want[i])
			}
		}
	}
	compare()

	// Row 3 deleted: its delete event and tombstone.
	exec("DELETE FROM every_type WHERE id = 3")
	before := records[2].Value.(*schemas.Struct).Get("after").(*schemas.Struct)
	src := e.Source(&Source{DB: d.Name, Table: "every_type", ServerID: 1, File: "mysql-bin.000001", Pos: 400, Thread: 7})
	env, err := tb.Envelope(OpDelete, before, nil, src, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	del := connectors.SourceRecord{Record: connectors.Record{Topic: tb.Topic, KeySchema: tb.KeySchema,
		Key: records[2].Key, ValueSchema: tb.EnvelopeSchema, Value: env}}
	put(del, Tombstone(del))
	compare()
}

// sinkContext is the smallest SinkTaskContext the JDBC sink needs here
// (connectortest's would import the plugin registry, which imports this
// package's connector: an import cycle).
type sinkContext struct{ t *testing.T }

func (sinkContext) Offset(connectors.TopicPartition, int64) {}
func (sinkContext) Timeout(time.Duration)                   {}
func (sinkContext) Assignment() []connectors.TopicPartition { return nil }
func (sinkContext) Pause(...connectors.TopicPartition)      {}
func (sinkContext) Resume(...connectors.TopicPartition)     {}
func (sinkContext) RequestCommit()                          {}
func (sinkContext) ErrantRecordReporter() connectors.ErrantRecordReporter {
	return nil
}
func (c sinkContext) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter(c), nil))
}

// testWriter sends log lines to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
