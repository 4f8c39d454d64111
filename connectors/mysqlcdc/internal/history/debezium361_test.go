package history

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
)

// readDbzHistory returns the schema history records Debezium 3.6.1.Final's
// MySQL connector wrote for the capture of testdata/debezium-3.6.1 (see
// the README of the events package's testdata/debezium-3.6.1): those of
// the captured database and the snapshot's SET statement, in order.
func readDbzHistory(t *testing.T, name string) []json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/debezium-3.6.1/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var recs []json.RawMessage
	if err := json.Unmarshal(b, &recs); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: no records", name)
	}
	return recs
}

// TestDebeziumHistoryRoundTrip: every record Debezium wrote decodes, and
// encodes back to the same JSON.
func TestDebeziumHistoryRoundTrip(t *testing.T) {
	for _, name := range []string{"default.json", "modes.json", "mariadb.json"} {
		for i, raw := range readDbzHistory(t, name) {
			r, err := Decode(raw)
			if err != nil {
				t.Fatalf("%s record %d: %v", name, i, err)
			}
			out, err := Encode(r)
			if err != nil {
				t.Fatalf("%s record %d: %v", name, i, err)
			}
			if !jsonEqual(t, out, raw) {
				t.Errorf("%s record %d re-encoded\n%s\nwant\n%s", name, i, out, raw)
			}
		}
	}
}

// TestDebeziumHistoryFromParse: the records sluice writes for the same
// statements, as its DDL parser reads them, equal Debezium's (position
// and ts_ms taken from Debezium's record), and the schema rebuilt from
// Debezium's tableChanges equals the one sluice's parse gives, after each
// record.
func TestDebeziumHistoryFromParse(t *testing.T) {
	for _, name := range []string{"default.json", "modes.json", "mariadb.json"} {
		t.Run(name, func(t *testing.T) {
			parsed := tables.NewSchema(tables.Options{})
			replayed := tables.NewSchema(tables.Options{})
			p := parser.New()
			for i, raw := range readDbzHistory(t, name) {
				dbz, err := Decode(raw)
				if err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				changes, err := parsed.Apply(p, dbz.DatabaseName, dbz.DDL)
				if err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				var tableChanges []tables.Change
				for _, c := range changes {
					if c.Type == tables.ChangeCreate || c.Type == tables.ChangeAlter || c.Type == tables.ChangeDrop {
						tableChanges = append(tableChanges, c)
					}
				}
				var mine Record
				switch len(tableChanges) {
				case 0:
					mine = NewRecord(dbz.Source["server"].(string), dbz.Position, dbz.TsMs,
						tables.Change{Type: tables.ChangeDatabase, DB: dbz.DatabaseName, DDL: dbz.DDL})
				case 1:
					mine = NewRecord(dbz.Source["server"].(string), dbz.Position, dbz.TsMs, tableChanges[0])
				default:
					t.Fatalf("record %d: %d table changes from one statement", i, len(tableChanges))
				}
				out, err := Encode(mine)
				if err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				if !jsonEqual(t, out, raw) {
					t.Errorf("record %d: sluice writes\n%s\nDebezium wrote\n%s", i, out, raw)
				}
				if err := dbz.ApplyTo(replayed, p); err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				for _, id := range []string{"bulk", "multi", "types"} {
					tid := tables.ID{DB: "dbz_golden", Table: id}
					if a, b := parsed.Table(tid), replayed.Table(tid); !reflect.DeepEqual(a, b) {
						t.Errorf("record %d: %s parsed by sluice differs from the table rebuilt from Debezium's tableChanges: %s", i, tid, tableDiff(a, b))
					}
				}
			}
			if parsed.Table(tables.ID{DB: "dbz_golden", Table: "types"}).Column("c_added") == nil {
				t.Error("the ALTER TABLE's column is missing")
			}
		})
	}
}

// tableDiff names what differs between two tables: the columns that
// differ (both versions) or else both tables.
func tableDiff(a, b *tables.Table) string {
	if a == nil || b == nil || len(a.Columns) != len(b.Columns) {
		return fmt.Sprintf("\n%+v\n%+v", a, b)
	}
	var out string
	for i := range a.Columns {
		if !reflect.DeepEqual(a.Columns[i], b.Columns[i]) {
			x, _ := json.Marshal(a.Columns[i])
			y, _ := json.Marshal(b.Columns[i])
			out += fmt.Sprintf("\n  parsed   %s\n  replayed %s", x, y)
		}
	}
	if out == "" {
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(b)
		out = fmt.Sprintf("\n  parsed   %s\n  replayed %s", x, y)
	}
	return out
}

// TestDebeziumOffsetsAgainstHistory: for every offset Debezium stored
// (each GET /connectors/<name>/offsets answer) and every history record
// it wrote, AtOrBefore says the record applies at that offset exactly
// when it should: the snapshot's records always, the ALTER TABLE's only
// when the offset is past the ALTER, which the ALTER's schema change
// event places (its source file and pos, or its GTID on MariaDB). Debezium
// writes a history record when it reads the DDL, ahead of the offsets
// Kafka Connect commits, so the records' times cannot decide it.
func TestDebeziumOffsetsAgainstHistory(t *testing.T) {
	for _, c := range []struct{ name, flavor string }{{"default", "mysql"}, {"modes", "mysql"}, {"mariadb", "mariadb"}} {
		t.Run(c.name, func(t *testing.T) {
			var offs struct {
				Rest []struct {
					Answer struct {
						Offsets []struct {
							Offset json.RawMessage `json:"offset"`
						} `json:"offsets"`
					} `json:"answer"`
				} `json:"rest"`
				Topic []struct {
					Value json.RawMessage `json:"value"`
				} `json:"offsetsTopic"`
			}
			readJSON(t, "../../testdata/debezium-3.6.1/offsets-"+c.name+".json", &offs)
			var stored []json.RawMessage // the REST answers', then the offsets topic's
			for _, a := range offs.Rest {
				if len(a.Answer.Offsets) == 1 {
					stored = append(stored, a.Answer.Offsets[0].Offset)
				}
			}
			for _, v := range offs.Topic {
				stored = append(stored, v.Value)
			}
			var changes []struct {
				Value struct {
					Payload struct {
						Source struct {
							File string  `json:"file"`
							Pos  int64   `json:"pos"`
							GTID *string `json:"gtid"`
						} `json:"source"`
					} `json:"payload"`
				} `json:"value"`
			}
			readJSON(t, "../events/testdata/debezium-3.6.1/"+c.name+"/schema-changes.json", &changes)
			alter := changes[len(changes)-1].Value.Payload.Source
			pastAlter := func(o map[string]any) bool {
				if alter.GTID != nil {
					// 0-1-N: the offset's completed set holds the ALTER's
					// transaction.
					seq := func(g string) int64 {
						n, err := strconv.ParseInt(g[strings.LastIndexByte(g, '-')+1:], 10, 64)
						if err != nil {
							t.Fatalf("GTID %q: %v", g, err)
						}
						return n
					}
					return seq(o["gtids"].(string)) >= seq(*alter.GTID)
				}
				return o["file"].(string) > alter.File || o["file"] == alter.File && o["pos"].(int64) > alter.Pos
			}
			counts := map[bool]int{}
			for _, raw := range readDbzHistory(t, c.name+".json") {
				r, err := Decode(raw)
				if err != nil {
					t.Fatal(err)
				}
				_, snapshot := r.Position["snapshot"]
				for _, so := range stored {
					// The offset as the connector reads it back: numbers
					// as int64, as Decode gives a position's.
					o, err := Decode([]byte(`{"source":{},"position":` + string(so) + `,"tableChanges":[]}`))
					if err != nil {
						t.Fatal(err)
					}
					got, err := AtOrBefore(c.flavor, r.Position, o.Position)
					if err != nil {
						t.Fatal(err)
					}
					want := snapshot || pastAlter(o.Position)
					if got != want {
						t.Errorf("record %q at %v against offset %v: AtOrBefore %v", r.DDL, r.Position, o.Position, got)
					}
					counts[want]++
				}
			}
			t.Logf("%d record/offset pairs at or before, %d after", counts[true], counts[false])
			if counts[false] == 0 || counts[true] == 0 {
				t.Fatal("the captures give no case of one kind")
			}
		})
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
