package events

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"
	driver "github.com/go-sql-driver/mysql"
	"github.com/pingcap/tidb/pkg/parser"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
	sjson "github.com/sluicehq/sluice/schemas/json"
)

// The captures of testdata/debezium-3.6.1 (see its README): what
// Debezium 3.6.1.Final's MySQL connector wrote through Kafka Connect's
// JsonConverter (schemas.enable=true) for the tables of capture/schema.sql
// and the statements of capture/stream.sql.
const dbzDir = "testdata/debezium-3.6.1"

// dbzCapture is one captured connector: its directory, connector
// (MySqlConnector or MariaDbConnector), topic.prefix and modes.
type dbzCapture struct {
	dir       string
	connector string
	prefix    string
	modes     Modes
}

var dbzCaptures = []dbzCapture{
	{dir: "default", connector: ConnectorMySQL, prefix: "dbzgold1"},
	{dir: "modes", connector: ConnectorMySQL, prefix: "dbzgold2",
		modes: Modes{Decimal: DecimalString, Time: TimeConnect, BigintUnsigned: BigintPrecise, Binary: BinaryBase64}},
	{dir: "mariadb", connector: ConnectorMariaDB, prefix: "dbzgold3"},
}

// events returns the Events of the captured connector.
func (c dbzCapture) events(t *testing.T) *Events {
	t.Helper()
	e, err := New(Options{Connector: c.connector, Version: "3.6.1.Final", TopicPrefix: c.prefix, Modes: c.modes})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// dbzRecord is one captured Kafka record: key and value as the
// JsonConverter wrote them (null for a tombstone), and its headers.
type dbzRecord struct {
	Key     json.RawMessage   `json:"key"`
	Value   json.RawMessage   `json:"value"`
	Headers map[string]string `json:"headers"`
}

func readDbz(t *testing.T, dir, name string) []dbzRecord {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dbzDir, dir, name))
	if err != nil {
		t.Fatal(err)
	}
	var recs []dbzRecord
	if err := json.Unmarshal(b, &recs); err != nil {
		t.Fatalf("%s/%s: %v", dir, name, err)
	}
	return recs
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// kind is what the comparison keeps of a value that differs by nature
// between two runs (times, binlog positions): its JSON type.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "<null>"
	case json.Number:
		return "<number>"
	case string:
		return "<string>"
	default:
		return fmt.Sprintf("<%T>", v)
	}
}

// normalizeEnvelope replaces, in a decoded {"schema":..., "payload":...}
// change event, the values that differ by nature between Debezium's run
// and sluice's by their JSON type: the envelope's and the source's
// ts_ms/ts_us/ts_ns, the source's file, pos and server_id. The source's
// thread and gtid are only compared for presence: Debezium's MySQL
// connector reads neither from MariaDB (they are null in the capture).
func normalizeEnvelope(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	p, ok := m["payload"].(map[string]any)
	if !ok {
		return v
	}
	for _, k := range []string{"ts_ms", "ts_us", "ts_ns"} {
		if x, ok := p[k]; ok {
			p[k] = kind(x)
		}
	}
	if s, ok := p["source"].(map[string]any); ok {
		for _, k := range []string{"ts_ms", "ts_us", "ts_ns", "file", "pos", "server_id"} {
			if x, ok := s[k]; ok {
				s[k] = kind(x)
			}
		}
		for _, k := range []string{"thread", "gtid"} {
			if _, ok := s[k]; ok {
				s[k] = "<present>"
			}
		}
	}
	return m
}

// compareJSON fails the test when got and want (JSON) differ, naming the
// first differing paths.
func compareJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	var diffs []string
	var walk func(path string, g, w any)
	walk = func(path string, g, w any) {
		if len(diffs) >= 10 {
			return
		}
		gm, gok := g.(map[string]any)
		wm, wok := w.(map[string]any)
		if gok && wok {
			for k := range wm {
				walk(path+"."+k, gm[k], wm[k])
			}
			for k := range gm {
				if _, ok := wm[k]; !ok {
					diffs = append(diffs, fmt.Sprintf("%s.%s: extra %v", path, k, gm[k]))
				}
			}
			return
		}
		ga, gok := g.([]any)
		wa, wok := w.([]any)
		if gok && wok && len(ga) == len(wa) {
			for i := range wa {
				name := strconv.Itoa(i)
				if f, ok := wa[i].(map[string]any); ok && f["field"] != nil {
					name = fmt.Sprint(f["field"])
				}
				walk(path+"["+name+"]", ga[i], wa[i])
			}
			return
		}
		if gn, ok := g.(json.Number); ok {
			if wn, ok := w.(json.Number); ok && numbersEqual(gn, wn) {
				return
			}
		}
		if !reflect.DeepEqual(g, w) {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			diffs = append(diffs, fmt.Sprintf("%s: sluice %s, Debezium %s", path, gj, wj))
		}
	}
	walk("", got, want)
	if len(diffs) == 0 {
		return
	}
	t.Errorf("%s differs from Debezium's:\n  %s", what, strings.Join(diffs, "\n  "))
}

// numbersEqual compares two JSON numbers: integers exactly, others as
// float64 (writers spell 1e+38 and 1E38 differently).
func numbersEqual(a, b json.Number) bool {
	if a == b {
		return true
	}
	if !strings.ContainsAny(string(a)+string(b), ".eE") {
		return false
	}
	x, err1 := a.Float64()
	y, err2 := b.Float64()
	return err1 == nil && err2 == nil && x == y
}

// dbzTables returns the captured table's structure as sluice's DDL parser
// reads the statements Debezium recorded (the snapshot's SHOW CREATE
// TABLE and the ALTER TABLE), before and after the ALTER.
func dbzTables(t *testing.T, dir, table string) (before, after *tables.Table) {
	t.Helper()
	s := tables.NewSchema(tables.Options{})
	p := parser.New()
	id := tables.ID{DB: "dbz_golden", Table: table}
	for _, r := range readDbz(t, dir, "schema-changes.json") {
		var v struct {
			Payload struct {
				DatabaseName string `json:"databaseName"`
				DDL          string `json:"ddl"`
			} `json:"payload"`
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Apply(p, v.Payload.DatabaseName, v.Payload.DDL); err != nil {
			t.Fatalf("%s: %v", v.Payload.DDL, err)
		}
		if tb := s.Table(id); tb != nil {
			if before == nil {
				before = tb.Clone()
			}
			after = tb.Clone()
		}
	}
	if before == nil {
		t.Fatalf("no CREATE TABLE of %s in %s/schema-changes.json", id, dir)
	}
	return before, after
}

// TestDebeziumSchemas: for the tables Debezium 3.6.1 captured, sluice
// builds the same key and envelope schemas (compared exactly, as the
// JsonConverter writes them) from its own parse of the DDL, under the
// default modes and under decimal.handling.mode=string,
// time.precision.mode=connect, bigint.unsigned.handling.mode=precise,
// binary.handling.mode=base64; also after the ALTER TABLE ADD COLUMN.
func TestDebeziumSchemas(t *testing.T) {
	for _, c := range dbzCaptures {
		for _, table := range []string{"types", "multi"} {
			t.Run(c.dir+"/"+table, func(t *testing.T) {
				before, after := dbzTables(t, c.dir, table)
				recs := readDbz(t, c.dir, table+".json")
				e := c.events(t)
				for i, r := range recs {
					tbl := before
					if table == "types" && i >= len(recs)-2 {
						tbl = after // the last two: after the ALTER
					}
					tb, err := e.Table(tbl, nil)
					if err != nil {
						t.Fatal(err)
					}
					if tb.Topic != c.prefix+".dbz_golden."+table {
						t.Errorf("topic %s", tb.Topic)
					}
					k := decodeJSON(t, r.Key).(map[string]any)
					compareJSON(t, fmt.Sprintf("record %d: key schema", i), schemaJSON(t, tb.KeySchema, r.Key), k["schema"])
					if string(r.Value) == "null" {
						continue
					}
					v := decodeJSON(t, r.Value).(map[string]any)
					compareJSON(t, fmt.Sprintf("record %d: value schema", i), schemaJSON(t, tb.EnvelopeSchema, r.Value), v["schema"])
				}
			})
		}
	}
}

// schemaJSON returns schema as the JSON converter writes it (decoded):
// the payload is Debezium's record (golden) read back with the JSON
// converter and written with schema.
func schemaJSON(t *testing.T, schema *schemas.Schema, golden []byte) any {
	t.Helper()
	c := sjson.New()
	if err := c.Configure(map[string]string{"schemas.enable": "true"}, false); err != nil {
		t.Fatal(err)
	}
	_, v, err := c.ToConnectData("topic", golden)
	if err != nil {
		t.Fatalf("reading Debezium's record: %v", err)
	}
	b, err := c.FromConnectData("topic", schema, v)
	if err != nil {
		t.Errorf("Debezium's payload does not fit sluice's schema: %v", err)
		return nil
	}
	return decodeJSON(t, b).(map[string]any)["schema"]
}

// TestDebeziumHeartbeat: the heartbeat records' key and value schemas and
// key are Debezium's.
func TestDebeziumHeartbeat(t *testing.T) {
	for _, c := range dbzCaptures {
		e := c.events(t)
		if e.HeartbeatTopic() != "__debezium-heartbeat."+c.prefix {
			t.Errorf("heartbeat topic %s", e.HeartbeatTopic())
		}
		for i, r := range readDbz(t, c.dir, "heartbeats.json") {
			k, v := e.Heartbeat(time.Now())
			compareJSON(t, fmt.Sprintf("%s heartbeat %d key", c.dir, i), decodeJSON(t, render(t, e.HeartbeatKeySchema(), k)), decodeJSON(t, r.Key))
			got := decodeJSON(t, render(t, e.HeartbeatValueSchema(), v)).(map[string]any)
			want := decodeJSON(t, r.Value).(map[string]any)
			for _, m := range []map[string]any{got, want} {
				p := m["payload"].(map[string]any)
				p["ts_ms"] = kind(p["ts_ms"])
			}
			compareJSON(t, fmt.Sprintf("%s heartbeat %d value", c.dir, i), got, want)
		}
	}
}

// dbzStatements returns the statements of a capture script, the
// database renamed to db.
func dbzStatements(t *testing.T, name, db string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dbzDir, "capture", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range strings.Split(strings.ReplaceAll(string(b), "dbz_golden", db), ";\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// dbzRowsEvent is one rows event of a captured table read back from the
// binary log.
type dbzRowsEvent struct {
	table string
	typ   replication.EventType
	rows  [][]any
	// altered: the event came after the table's ALTER TABLE.
	altered bool
}

// TestDebeziumEvents runs the capture's statements on the real MariaDB
// (in a database of its own), reads the snapshot rows with sluice's
// SELECT and the changes from the binary log with go-mysql, and checks
// that sluice's keys and envelopes equal Debezium's records: schemas and
// values exactly, except the values that differ by nature (times, binlog
// file/pos, server id), whose types are compared, and thread/gtid, whose
// presence is. The record sequence (r, c, u, d + tombstone, a 3-row
// UPDATE's rows, a primary key change as d + tombstone + c) is
// Debezium's.
func TestDebeziumEvents(t *testing.T) {
	srv := testkit.MySQL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var rb [6]byte
	_, _ = rand.Read(rb[:])
	dbName := "dbz_" + hex.EncodeToString(rb[:])
	cfg, err := driver.ParseDSN(srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName = ""
	cfg.ParseTime = false
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS `"+dbName+"`"); err != nil {
			t.Logf("drop database %s: %v", dbName, err)
		}
		_ = db.Close()
	})
	db.SetMaxOpenConns(1) // one session: USE and BEGIN..COMMIT hold
	// schema.sql, then multi's rows as capture/make-bulk.py's bulk.sql
	// inserted them (bulk's rows are not compared).
	stmts := append(dbzStatements(t, "schema.sql", dbName), "INSERT INTO multi VALUES (1,'a',10),(1,'b',20),(2,'a',30)")
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%.60s: %v", s, err)
		}
	}
	var file string
	var pos uint32
	if err := showMasterStatus(ctx, db, &file, &pos); err != nil {
		t.Fatal(err)
	}
	// The snapshot rows, read as sluice's snapshot reads them.
	snap := map[string][][]sql.RawBytes{}
	for _, table := range []string{"types", "multi"} {
		before, _ := dbzTables(t, "default", table)
		tb := mustTable(t, newEvents(t, "p", Modes{}), before)
		snap[table] = selectRows(ctx, t, db, tb, table, strings.Join(before.PrimaryKey, ", "))
	}
	for _, s := range dbzStatements(t, "stream.sql", dbName) {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%.60s: %v", s, err)
		}
	}
	binlog := readDbzRowsEvents(ctx, t, srv, file, pos, dbName, 9)

	for _, c := range dbzCaptures {
		e := c.events(t)
		for _, table := range []string{"types", "multi"} {
			t.Run(c.dir+"/"+table, func(t *testing.T) {
				before, after := dbzTables(t, c.dir, table)
				tbBefore, tbAfter := mustTable(t, e, before), mustTable(t, e, after)
				type rec struct {
					tb       *Table
					key, env *schemas.Struct // env nil: tombstone
					err      error
				}
				var got []rec
				// Debezium marks a snapshot's first row of each table,
				// the last row of each table, and "last" for the last row
				// of the last table (types: bulk, multi, types in order).
				n := len(snap[table])
				for i, raw := range snap[table] {
					mark := SnapshotTrue
					switch {
					case i == 0:
						mark = SnapshotFirstInDataCollection
					case i == n-1 && table == "types":
						mark = SnapshotLast
					case i == n-1:
						mark = SnapshotLastInDataCollection
					}
					key, value, err := tbBefore.RowFromSQL(raw)
					var env *schemas.Struct
					if err == nil {
						env, err = tbBefore.Envelope(OpRead, nil, value, e.Source(&Source{Snapshot: mark, DB: "dbz_golden", Table: table,
							File: "mysql-bin.000001", Pos: 4, Thread: -1}), time.Now())
					}
					got = append(got, rec{tbBefore, key, env, err})
				}
				for _, ev := range binlog {
					if ev.table != table {
						continue
					}
					tb := tbBefore
					if ev.altered {
						tb = tbAfter
					}
					src := func(row int) *schemas.Struct {
						return e.Source(&Source{Timestamp: time.Now(), DB: "dbz_golden", Table: table, ServerID: 1,
							File: "mysql-bin.000001", Pos: 4, Row: int32(row), Thread: 1})
					}
					add := func(op Op, key, b, a *schemas.Struct, row int, err error) {
						var env *schemas.Struct
						if err == nil {
							env, err = tb.Envelope(op, b, a, src(row), time.Now())
						}
						got = append(got, rec{tb, key, env, err})
						if op == OpDelete {
							got = append(got, rec{tb, key, nil, nil})
						}
					}
					switch ev.typ {
					case replication.WRITE_ROWS_EVENTv1, replication.WRITE_ROWS_EVENTv2:
						for i, r := range ev.rows {
							k, v, err := tb.FromBinlog(r)
							add(OpCreate, k, nil, v, i, err)
						}
					case replication.DELETE_ROWS_EVENTv1, replication.DELETE_ROWS_EVENTv2:
						for i, r := range ev.rows {
							k, v, err := tb.FromBinlog(r)
							add(OpDelete, k, v, nil, i, err)
						}
					default:
						for i := 0; i+1 < len(ev.rows); i += 2 {
							bk, bv, err := tb.FromBinlog(ev.rows[i])
							k, v, err2 := tb.FromBinlog(ev.rows[i+1])
							if err == nil {
								err = err2
							}
							if err == nil && !bk.Equal(k) {
								add(OpDelete, bk, bv, nil, i/2, nil)
								add(OpCreate, k, nil, v, i/2, nil)
								continue
							}
							add(OpUpdate, k, bv, v, i/2, err)
						}
					}
				}
				want := readDbz(t, c.dir, table+".json")
				if len(got) != len(want) {
					t.Fatalf("sluice makes %d records, Debezium wrote %d", len(got), len(want))
				}
				for i, g := range got {
					if g.err != nil {
						// Deliberate (testdata README): a TIME outside
						// 00:00..24:00 under time.precision.mode=connect
						// fails the row naming the column where Debezium
						// writes null and logs a warning.
						if c.modes.Time == TimeConnect && strings.Contains(g.err.Error(), "column c_time (TIME)") {
							after := decodeJSON(t, want[i].Value).(map[string]any)["payload"].(map[string]any)["after"].(map[string]any)
							if v, ok := after["c_time"]; ok && v == nil {
								continue
							}
						}
						t.Errorf("record %d: %v", i, g.err)
						continue
					}
					compareJSON(t, fmt.Sprintf("record %d: key", i), decodeJSON(t, render(t, g.tb.KeySchema, g.key)), decodeJSON(t, want[i].Key))
					if g.env == nil {
						if string(want[i].Value) != "null" {
							t.Errorf("record %d: sluice writes a tombstone, Debezium %s", i, want[i].Value)
						}
						continue
					}
					compareJSON(t, fmt.Sprintf("record %d: value", i), normalizeEnvelope(decodeJSON(t, render(t, g.tb.EnvelopeSchema, g.env))),
						normalizeEnvelope(decodeJSON(t, want[i].Value)))
				}
			})
		}
	}
}

// readDbzRowsEvents reads the binary log from file:pos until n rows events
// of db's tables types and multi have been read, noting which came after
// an ALTER TABLE.
func readDbzRowsEvents(ctx context.Context, t *testing.T, srv testkit.MySQLServer, file string, pos uint32, db string, n int) []dbzRowsEvent {
	t.Helper()
	stream := startSync(t, srv, file, pos)
	var out []dbzRowsEvent
	altered := false
	for len(out) < n {
		ev, err := stream.GetEvent(ctx)
		if err != nil {
			t.Fatalf("reading the binlog after %d of %d rows events: %v", len(out), n, err)
		}
		switch x := ev.Event.(type) {
		case *replication.QueryEvent:
			if string(x.Schema) == db && strings.HasPrefix(string(x.Query), "ALTER TABLE") {
				altered = true
			}
		case *replication.RowsEvent:
			tbl := string(x.Table.Table)
			if string(x.Table.Schema) != db || (tbl != "types" && tbl != "multi") {
				continue
			}
			out = append(out, dbzRowsEvent{table: tbl, typ: ev.Header.EventType, rows: x.Rows, altered: altered && tbl == "types"})
		}
	}
	return out
}

// TestDebeziumSchemaChanges: the schema change records Debezium wrote on
// the <prefix> topic for the captured database (the snapshot's SET,
// DROP TABLE/DATABASE, CREATE DATABASE, USE and SHOW CREATE TABLE
// statements, then the streamed ALTER TABLE) equal sluice's for the same
// statements as its DDL parser reads them: key, schemas and values, the
// source's positions and times by type only (and its row, which Debezium
// leaves at the last rows event's for a DDL).
func TestDebeziumSchemaChanges(t *testing.T) {
	for _, c := range dbzCaptures {
		t.Run(c.dir, func(t *testing.T) {
			e := c.events(t)
			s := tables.NewSchema(tables.Options{})
			p := parser.New()
			for i, r := range readDbz(t, c.dir, "schema-changes.json") {
				var v struct {
					Payload struct {
						Source struct {
							Snapshot string `json:"snapshot"`
						} `json:"source"`
						DatabaseName string `json:"databaseName"`
						DDL          string `json:"ddl"`
					} `json:"payload"`
				}
				if err := json.Unmarshal(r.Value, &v); err != nil {
					t.Fatal(err)
				}
				changes, err := s.Apply(p, v.Payload.DatabaseName, v.Payload.DDL)
				if err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				var tcs []TableChange
				table := ""
				for _, ch := range changes {
					switch ch.Type {
					case tables.ChangeCreate:
						tcs = append(tcs, TableChange{Type: TableCreate, ID: ch.ID, Table: ch.Table})
					case tables.ChangeAlter:
						tcs = append(tcs, TableChange{Type: TableAlter, ID: ch.ID, Table: ch.Table})
					case tables.ChangeDrop:
						tcs = append(tcs, TableChange{Type: TableDrop, ID: ch.ID})
					default:
						continue
					}
					table = ch.ID.Table
				}
				mark := SnapshotFalse
				if v.Payload.Source.Snapshot == "true" {
					mark = SnapshotTrue
				}
				ts := time.Now()
				key, value, err := e.SchemaChange(&SchemaChange{
					Source: e.Source(&Source{Timestamp: ts, Snapshot: mark, DB: v.Payload.DatabaseName, Table: table,
						File: "mysql-bin.000001", Pos: 4, Thread: -1}),
					Timestamp: ts, DB: v.Payload.DatabaseName, DDL: v.Payload.DDL, Changes: tcs,
				})
				if err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				what := fmt.Sprintf("record %d (%.40q)", i, v.Payload.DDL)
				compareJSON(t, what+": key", decodeJSON(t, render(t, e.SchemaChangeKeySchema(), key)), decodeJSON(t, r.Key))
				norm := func(x any) any {
					x = normalizeEnvelope(x)
					x.(map[string]any)["payload"].(map[string]any)["source"].(map[string]any)["row"] = "<row>"
					return x
				}
				compareJSON(t, what+": value", norm(decodeJSON(t, render(t, e.SchemaChangeValueSchema(), value))), norm(decodeJSON(t, r.Value)))
			}
		})
	}
}
