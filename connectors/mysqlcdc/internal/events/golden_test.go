package events

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas"
	sjson "github.com/sluicehq/sluice/schemas/json"
)

// customers is the table of Debezium's documented examples.
func customers() *tables.Table {
	varchar := func(name string, pos int, optional bool) tables.Column {
		return tables.Column{Name: name, Position: pos, TypeName: "VARCHAR", TypeExpression: "VARCHAR", JDBCType: 12,
			Length: 255, Charset: "utf8mb4", Optional: optional}
	}
	return &tables.Table{
		ID: tables.ID{DB: "inventory", Table: "customers"},
		Columns: []tables.Column{
			{Name: "id", Position: 1, TypeName: "INT", TypeExpression: "INT", JDBCType: 4, Length: -1,
				AutoIncremented: true, Generated: true},
			varchar("first_name", 2, false),
			varchar("last_name", 3, false),
			varchar("email", 4, false),
		},
		PrimaryKey:     []string{"id"},
		DefaultCharset: "utf8mb4",
	}
}

func newEvents(t *testing.T, prefix string, m Modes) *Events {
	t.Helper()
	e, err := New(Options{Connector: ConnectorMySQL, Version: "3.6.1.Final", TopicPrefix: prefix, Modes: m})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// render writes schema and value with sluice's JSON converter,
// schemas.enable=true.
func render(t *testing.T, schema *schemas.Schema, value any) []byte {
	t.Helper()
	c := sjson.New()
	if err := c.Configure(map[string]string{"schemas.enable": "true"}, false); err != nil {
		t.Fatal(err)
	}
	b, err := c.FromConnectData("topic", schema, value)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertGolden compares got with testdata/name as JSON values (member
// order aside; array order, types and numbers exact).
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	decode := func(b []byte) any {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, b)
		}
		return v
	}
	g, w := decode(got), decode(want)
	if !reflect.DeepEqual(g, w) {
		gi, _ := json.MarshalIndent(g, "", "  ")
		wi, _ := json.MarshalIndent(w, "", "  ")
		t.Errorf("%s differs\n--- got\n%s\n--- want\n%s", name, gi, wi)
	}
}

func TestGoldenCustomersEvents(t *testing.T) {
	e := newEvents(t, "mysql-server-1", Modes{})
	tb, err := e.Table(customers(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Topic != "mysql-server-1.inventory.customers" {
		t.Errorf("topic %q", tb.Topic)
	}
	row := func(first string) []any {
		return []any{int32(1004), first, "Kretchmar", "annek@noanswer.org"}
	}
	src := func(ms int64, pos int64, query string) *schemas.Struct {
		return e.Source(&Source{Timestamp: time.UnixMilli(ms), DB: "inventory", Table: "customers", ServerID: 223344,
			File: "mysql-bin.000003", Pos: pos, Thread: 7, Query: query})
	}

	key, anne, err := tb.FromBinlog(row("Anne"))
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "customers_key.json", render(t, tb.KeySchema, keyWithID(t, tb, 1001)))

	// The documented create event has a source of epoch 0 and server 0.
	create := e.Source(&Source{Timestamp: time.Unix(0, 0), DB: "inventory", Table: "customers",
		File: "mysql-bin.000003", Pos: 154, Thread: 7,
		Query: "INSERT INTO customers (first_name, last_name, email) VALUES ('Anne', 'Kretchmar', 'annek@noanswer.org')"})
	env, err := tb.Envelope(OpCreate, nil, anne, create, time.Unix(0, 1465491411815437158))
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "customers_create.json", render(t, tb.EnvelopeSchema, env))

	_, anneMarie, err := tb.FromBinlog(row("Anne Marie"))
	if err != nil {
		t.Fatal(err)
	}
	env, err = tb.Envelope(OpUpdate, anne, anneMarie,
		src(1465581029100, 484, "UPDATE customers SET first_name='Anne Marie' WHERE id=1004"), time.Unix(0, 1465581029523758914))
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "customers_update.json", render(t, tb.EnvelopeSchema, env))

	env, err = tb.Envelope(OpDelete, anneMarie, nil,
		src(1465581902300, 805, "DELETE FROM customers WHERE id=1004"), time.Unix(0, 1465581902461842579))
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "customers_delete.json", render(t, tb.EnvelopeSchema, env))

	if got := render(t, tb.KeySchema, key); !bytes.Contains(got, []byte(`"payload":{"id":1004}`)) {
		t.Errorf("key of the row: %s", got)
	}
}

// keyWithID is the key of customer id (the documented key example is of
// another row than the event examples).
func keyWithID(t *testing.T, tb *Table, id int32) *schemas.Struct {
	t.Helper()
	k, _, err := tb.FromBinlog([]any{id, "a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestGoldenSchemaChange(t *testing.T) {
	e := newEvents(t, "mysql", Modes{})
	tbl := customers()
	middle := tables.Column{Name: "middle_name", Position: 3, TypeName: "VARCHAR", TypeExpression: "VARCHAR", JDBCType: 12,
		Length: 255, Charset: "utf8mb4", Optional: true}
	tbl.Columns = append(tbl.Columns[:2], append([]tables.Column{middle}, tbl.Columns[2:]...)...)
	for i := range tbl.Columns {
		tbl.Columns[i].Position = i + 1
	}
	ts := time.UnixMilli(1651535750218)
	src := e.Source(&Source{Timestamp: ts, DB: "inventory", Table: "customers", ServerID: 223344,
		File: "mysql-bin.000003", Pos: 570, Thread: -1})
	key, value, err := e.SchemaChange(&SchemaChange{
		Source: src, Timestamp: ts, DB: "inventory",
		DDL:     "ALTER TABLE customers ADD middle_name varchar(255) AFTER first_name",
		Changes: []TableChange{{Type: TableAlter, ID: tbl.ID, Table: tbl}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.SchemaChangeTopic() != "mysql" {
		t.Errorf("schema change topic %q", e.SchemaChangeTopic())
	}
	assertGolden(t, "schema_change_key.json", render(t, e.SchemaChangeKeySchema(), key))
	assertGolden(t, "schema_change_value.json", render(t, e.SchemaChangeValueSchema(), value))
}
