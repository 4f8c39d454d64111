package events

import (
	"database/sql"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/schemas"
)

func TestParseModes(t *testing.T) {
	tests := []struct {
		cfg     map[string]string
		want    Modes
		wantErr string
	}{
		{cfg: nil, want: Modes{}},
		{cfg: map[string]string{DecimalHandlingModeKey: "STRING", TimePrecisionModeKey: " connect ",
			BigintUnsignedHandlingModeKey: "precise", BinaryHandlingModeKey: "base64-url-safe"},
			want: Modes{Decimal: DecimalString, Time: TimeConnect, BigintUnsigned: BigintPrecise, Binary: BinaryBase64URLSafe}},
		{cfg: map[string]string{DecimalHandlingModeKey: "double", BinaryHandlingModeKey: "hex"},
			want: Modes{Decimal: DecimalDouble, Binary: BinaryHex}},
		{cfg: map[string]string{TimePrecisionModeKey: "adaptive"}, wantErr: `time.precision.mode: "adaptive" is not one of adaptive_time_microseconds, connect`},
		{cfg: map[string]string{DecimalHandlingModeKey: "exact"}, wantErr: "decimal.handling.mode"},
		{cfg: map[string]string{BigintUnsignedHandlingModeKey: "int"}, wantErr: "bigint.unsigned.handling.mode"},
		{cfg: map[string]string{BinaryHandlingModeKey: "base32"}, wantErr: "binary.handling.mode"},
	}
	for _, tt := range tests {
		got, err := ParseModes(tt.cfg)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseModes(%v) error %v, want %q", tt.cfg, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseModes(%v) = %+v, %v; want %+v", tt.cfg, got, err, tt.want)
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, o := range []Options{{Connector: "postgres", TopicPrefix: "p"}, {Connector: ConnectorMySQL}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) succeeded", o)
		}
	}
}

func TestSourceBlock(t *testing.T) {
	e, err := New(Options{Connector: ConnectorMariaDB, TopicPrefix: "shop"})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.SourceSchema().Name; got != "io.debezium.connector.mariadb.Source" {
		t.Errorf("source schema %q", got)
	}
	ts := time.Unix(1700000000, 123456789)
	s := e.Source(&Source{Timestamp: ts, Snapshot: SnapshotLastInDataCollection, DB: "db", Table: "t", ServerID: 7,
		GTID: "0-1-42", File: "mysql-bin.000002", Pos: 1234, Row: 3, Thread: -1})
	want := map[string]any{
		"version": DefaultVersion, "connector": "mariadb", "name": "shop", "ts_ms": int64(1700000000123),
		"ts_us": int64(1700000000123456), "ts_ns": int64(1700000000123456789), "snapshot": "last_in_data_collection",
		"db": "db", "sequence": nil, "table": "t", "server_id": int64(7), "gtid": "0-1-42", "file": "mysql-bin.000002",
		"pos": int64(1234), "row": int32(3), "thread": nil, "query": nil,
	}
	for k, w := range want {
		if got := s.GetWithoutDefault(k); !schemas.EqualValues(got, w) {
			t.Errorf("source.%s = %#v, want %#v", k, got, w)
		}
	}
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
	streaming := e.Source(&Source{DB: "db", File: "f", Thread: 5, Query: "INSERT ..."})
	if streaming.Get("snapshot") != "false" || streaming.Get("table") != nil || streaming.Get("gtid") != nil ||
		streaming.Get("thread") != int64(5) || streaming.Get("query") != "INSERT ..." {
		t.Errorf("streaming source %v", streaming)
	}
	if ms := streaming.Get("ts_ms").(int64); time.Since(time.UnixMilli(ms)) > time.Minute {
		t.Errorf("a zero Timestamp should be now, got ts_ms %d", ms)
	}
}

func TestHeartbeatAndTombstone(t *testing.T) {
	e := newEvents(t, "shop", Modes{})
	if e.HeartbeatTopic() != "__debezium-heartbeat.shop" {
		t.Errorf("heartbeat topic %q", e.HeartbeatTopic())
	}
	key, value := e.Heartbeat(time.UnixMilli(1700000000123))
	if key.Schema().Name != "io.debezium.connector.common.ServerNameKey" || key.Get("serverName") != "shop" {
		t.Errorf("heartbeat key %v %v", key.Schema(), key)
	}
	if value.Schema().Name != "io.debezium.connector.common.Heartbeat" || value.Get("ts_ms") != int64(1700000000123) {
		t.Errorf("heartbeat value %v %v", value.Schema(), value)
	}

	tb := mustTable(t, e, customers())
	k, before, err := tb.FromBinlog([]any{int32(1), "a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	env, err := tb.Envelope(OpDelete, before, nil, e.Source(&Source{DB: "inventory"}), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	del := connectors.SourceRecord{Record: connectors.Record{Topic: tb.Topic, Partition: connectors.Partition(2),
		KeySchema: tb.KeySchema, Key: k, ValueSchema: tb.EnvelopeSchema, Value: env,
		Headers: connectors.Headers{{Key: "h"}}}, SourcePartition: map[string]any{"server": "shop"},
		SourceOffset: map[string]any{"pos": int64(9)}}
	tomb := Tombstone(del)
	if tomb.Value != nil || tomb.ValueSchema != nil || tomb.Key != k || tomb.KeySchema != tb.KeySchema ||
		tomb.Topic != tb.Topic || *tomb.Partition != 2 || tomb.SourceOffset["pos"] != int64(9) ||
		len(tomb.Headers) != 1 || tomb.Headers[0].Key != "h" || &tomb.Headers[0] == &del.Headers[0] {
		t.Errorf("tombstone %+v", tomb)
	}
	if del.Value == nil {
		t.Error("Tombstone changed the delete record")
	}
}

func TestEnvelopeChecksOp(t *testing.T) {
	e := newEvents(t, "p", Modes{})
	tb := mustTable(t, e, customers())
	_, row, err := tb.FromBinlog([]any{int32(1), "a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	src := e.Source(&Source{DB: "inventory"})
	bad := []struct {
		op            Op
		before, after *schemas.Struct
	}{
		{OpCreate, row, row}, {OpRead, nil, nil}, {OpUpdate, nil, row}, {OpDelete, nil, row}, {"x", nil, row},
	}
	for _, b := range bad {
		if _, err := tb.Envelope(b.op, b.before, b.after, src, time.Now()); err == nil {
			t.Errorf("Envelope(%q, %v, %v) succeeded", b.op, b.before != nil, b.after != nil)
		}
	}
	if _, err := tb.Envelope(OpRead, nil, row, nil, time.Now()); err == nil {
		t.Error("an envelope without source succeeded")
	}
	env, err := tb.Envelope(OpRead, nil, row, src, time.Now())
	if err != nil || env.Get("op") != "r" {
		t.Errorf("read envelope %v, %v", env, err)
	}
}

func TestTableSchemas(t *testing.T) {
	e := newEvents(t, "p", Modes{})
	tbl := &tables.Table{
		ID: tables.ID{DB: "d", Table: "t"},
		Columns: []tables.Column{
			{Name: "b", TypeName: "VARCHAR", Length: 10},
			{Name: "a", TypeName: "INT UNSIGNED", Length: -1},
			{Name: "secret", TypeName: "VARCHAR", Length: 10, Optional: true},
			{Name: "shape", TypeName: "GEOMETRY", Length: -1, Optional: true},
			{Name: "n", TypeName: "INT", Length: -1, HasDefault: true, DefaultExpr: new("5")},
			{Name: "s", TypeName: "VARCHAR", Length: 10, Optional: true, HasDefault: true, DefaultExpr: new("'it's'")},
			{Name: "ts", TypeName: "TIMESTAMP", Length: -1, HasDefault: true, DefaultExpr: new("1970-01-01 00:00:00")},
			{Name: "bit", TypeName: "BIT", Length: 1, HasDefault: true, DefaultExpr: new("1")},
			{Name: "e", TypeName: "ENUM", Length: -1, EnumValues: []string{"x", "y"}, HasDefault: true, DefaultExpr: new("y")},
			{Name: "dz", TypeName: "DATE", Length: -1, HasDefault: true, DefaultExpr: new("0000-00-00")},
			{Name: "fn", TypeName: "VARCHAR", Length: 36, HasDefault: true},
			{Name: "r", TypeName: "TINYINT", Length: -1, HasDefault: true, DefaultExpr: new("2.5")},
			{Name: "bits3", TypeName: "BIT", Length: 3, HasDefault: true, DefaultExpr: new("b'101'")},
			{Name: "now", TypeName: "DATETIME", Length: -1, HasDefault: true, DefaultExpr: new("CURRENT_TIMESTAMP(6)")},
			{Name: "dec", TypeName: "DECIMAL", Length: 8, Scale: intPtr(3)},
			{Name: "bits", TypeName: "BIT", Length: 12},
		},
		PrimaryKey: []string{"a", "b"},
	}
	tb, err := e.Table(tbl, func(col string) bool { return col != "secret" && col != "a" })
	if err != nil {
		t.Fatal(err)
	}
	if tb.KeySchema.Name != "p.d.t.Key" || len(tb.KeySchema.Fields) != 2 || tb.KeySchema.Fields[0].Name != "a" ||
		tb.KeySchema.Fields[0].Schema.Type != schemas.TypeInt64 || tb.KeySchema.Fields[1].Name != "b" {
		t.Errorf("key schema %+v", tb.KeySchema.Fields)
	}
	var names []string
	for _, f := range tb.ValueSchema.Fields {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != "b,shape,n,s,ts,bit,e,dz,fn,r,bits3,now,dec,bits" {
		t.Errorf("value fields %s (the excluded and the key-only column must be left out)", got)
	}
	if !tb.ValueSchema.Optional || tb.ValueSchema.Name != "p.d.t.Value" || tb.EnvelopeSchema.Name != "p.d.t.Envelope" {
		t.Errorf("value %v envelope %v", tb.ValueSchema, tb.EnvelopeSchema)
	}
	defaults := map[string]any{"n": int32(5), "s": "'it's'", "ts": "1970-01-01T00:00:00Z", "bit": true, "e": "y",
		"dz": nil, "fn": nil, "b": nil, "r": int16(3), "bits3": []byte{5}, "now": int64(0)}
	for name, want := range defaults {
		f, _ := tb.ValueSchema.Field(name)
		if !schemas.EqualValues(f.Schema.Default, want) {
			t.Errorf("default of %s = %#v, want %#v", name, f.Schema.Default, want)
		}
	}
	dec, _ := tb.ValueSchema.Field("dec")
	if dec.Schema.Name != schemas.DecimalName || dec.Schema.Parameters["scale"] != "3" || dec.Schema.Parameters[precisionParam] != "8" {
		t.Errorf("decimal schema %+v", dec.Schema)
	}
	bits, _ := tb.ValueSchema.Field("bits")
	if bits.Schema.Name != bitsName || bits.Schema.Parameters[bitsLength] != "12" {
		t.Errorf("bits schema %+v", bits.Schema)
	}
	e2, _ := tb.ValueSchema.Field("e")
	if e2.Schema.Name != enumName || e2.Schema.Parameters[enumAllowed] != "x,y" {
		t.Errorf("enum schema %+v", e2.Schema)
	}
	if got := tb.SelectList(); !strings.HasPrefix(got, "`b`,`a`,`secret`,`shape`") {
		t.Errorf("select list %s", got)
	}

	key, value, err := tb.FromBinlog([]any{"k", int32(-1), "hidden", []byte{0, 0, 0, 0, 1, 7, 0, 0, 0, 0, 0, 0, 0}, int32(1), nil, "2024-01-01 00:00:00",
		int64(1), int64(2), "0000-00-00", "f", int8(1), int64(1), "2024-01-01 00:00:00", "1.5", int64(0xABC)})
	if err != nil {
		t.Fatal(err)
	}
	if key.Get("a") != int64(4294967295) || key.Get("b") != "k" {
		t.Errorf("key %v", key)
	}
	if value.Get("dz") != int32(0) || value.GetWithoutDefault("s") != nil || value.Get("dec").(interface{ RatString() string }).RatString() != "3/2" {
		t.Errorf("value %v", value)
	}
	if b := value.Get("bits").([]byte); len(b) != 2 || b[0] != 0xBC || b[1] != 0x0A {
		t.Errorf("bits %x, want bc0a (little-endian)", b)
	}

	noKey := &tables.Table{ID: tables.ID{DB: "d", Table: "log"}, Columns: []tables.Column{{Name: "x", TypeName: "TEXT", Length: -1, Optional: true}}}
	tb, err = e.Table(noKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	key, value, err = tb.FromBinlog([]any{[]byte("hello")})
	if err != nil || tb.KeySchema != nil || key != nil || value.Get("x") != "hello" {
		t.Errorf("keyless table: key schema %v, key %v, value %v, %v", tb.KeySchema, key, value, err)
	}
}

func TestTableRefusesWhatItCannotCarry(t *testing.T) {
	e := newEvents(t, "p", Modes{})
	for _, tbl := range []*tables.Table{
		{ID: tables.ID{DB: "d", Table: "t"}, Columns: []tables.Column{{Name: "x", TypeName: "FROBNICATOR"}}},
		{ID: tables.ID{DB: "d", Table: "t"}, Columns: []tables.Column{{Name: "x", TypeName: "INT"}}, PrimaryKey: []string{"y"}},
		{ID: tables.ID{DB: "d", Table: "t"}, Columns: []tables.Column{{Name: "v", TypeName: "VECTOR"}}, PrimaryKey: []string{"v"}},
	} {
		_, err := e.Table(tbl, nil)
		if err == nil || !strings.Contains(err.Error(), "d.t") {
			t.Errorf("Table(%+v) error %v, want one naming the table", tbl.Columns, err)
		}
	}
	if _, err := e.Table(nil, nil); err == nil {
		t.Error("Table(nil) succeeded")
	}
}

func TestBinlogValues(t *testing.T) {
	tests := []struct {
		col  tables.Column
		m    Modes
		in   any
		want any
	}{
		// MySQL 8 with binlog_row_metadata=FULL gives unsigned Go types.
		{col: tables.Column{TypeName: "TINYINT UNSIGNED"}, in: uint8(250), want: int16(250)},
		{col: tables.Column{TypeName: "BIGINT UNSIGNED"}, in: uint64(18446744073709551615), want: int64(-1)},
		{col: tables.Column{TypeName: "BIGINT UNSIGNED"}, m: Modes{BigintUnsigned: BigintPrecise}, in: uint64(18446744073709551615), want: mustRat("18446744073709551615")},
		{col: tables.Column{TypeName: "BIGINT UNSIGNED"}, m: Modes{BigintUnsigned: BigintPrecise}, in: int64(-2), want: mustRat("18446744073709551614")},
		{col: tables.Column{TypeName: "BIGINT UNSIGNED"}, m: Modes{BigintUnsigned: BigintPrecise, Decimal: DecimalString}, in: int64(7), want: mustRat("7")},
		{col: tables.Column{TypeName: "MEDIUMINT", Unsigned: true}, in: int32(-1), want: int32(16777215)},
		{col: tables.Column{TypeName: "DECIMAL", Length: 5, Scale: intPtr(2)}, m: Modes{Decimal: DecimalString}, in: "-0.50", want: "-0.50"},
		{col: tables.Column{TypeName: "DECIMAL", Length: 5, Scale: intPtr(2)}, m: Modes{Decimal: DecimalDouble}, in: "-0.50", want: -0.5},
		{col: tables.Column{TypeName: "DECIMAL", Length: 5, Scale: intPtr(1)}, in: "2.25", want: mustRat("2.3")},
		{col: tables.Column{TypeName: "DECIMAL", Length: 30, Scale: intPtr(2)}, in: "-1234567890123456789012.35", want: mustRat("-1234567890123456789012.35")},
		{col: tables.Column{TypeName: "BINARY", Length: 3}, m: Modes{Binary: BinaryHex}, in: "a", want: "610000"},
		{col: tables.Column{TypeName: "BLOB", Length: -1}, m: Modes{Binary: BinaryBase64}, in: []byte{0xfb, 0xff}, want: "+/8="},
		{col: tables.Column{TypeName: "BLOB", Length: -1}, m: Modes{Binary: BinaryBase64URLSafe}, in: []byte{0xfb, 0xff}, want: "-_8="},
		{col: tables.Column{TypeName: "SET", EnumValues: []string{"a", "", "c"}}, in: int64(7), want: "a,,c"},
		{col: tables.Column{TypeName: "SET", EnumValues: []string{"a", "b"}}, in: int64(0), want: ""},
		{col: tables.Column{TypeName: "JSON"}, in: []byte{}, want: "{}"},
		{col: tables.Column{TypeName: "JSON", Optional: true}, in: []byte{}, want: nil},
		{col: tables.Column{TypeName: "TIME", Length: -1}, m: Modes{Time: TimeConnect}, in: "23:59:59.999999", want: time.UnixMilli(86399999).UTC()},
		{col: tables.Column{TypeName: "DATETIME", Length: 6}, m: Modes{Time: TimeConnect}, in: "2024-01-02 03:04:05.678999", want: time.Date(2024, 1, 2, 3, 4, 5, 678e6, time.UTC)},
		{col: tables.Column{TypeName: "DATE", Length: -1}, m: Modes{Time: TimeConnect}, in: "1969-12-31", want: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)},
		{col: tables.Column{TypeName: "DATE", Length: -1}, in: "1969-12-31", want: int32(-1)},
		{col: tables.Column{TypeName: "DATETIME", Length: -1}, in: "0000-00-00 00:00:00", want: int64(0)},
		{col: tables.Column{TypeName: "DATETIME", Length: 2}, in: "1960-01-01 00:00:00.05", want: int64(-315619199950)},
		{col: tables.Column{TypeName: "TIMESTAMP", Length: 6}, in: "2024-01-02 03:04:05.000010", want: "2024-01-02T03:04:05.000010Z"},
		{col: tables.Column{TypeName: "TIMESTAMP", Length: 2}, in: "2024-01-02 03:04:05.5", want: "2024-01-02T03:04:05.50Z"},
		{col: tables.Column{TypeName: "TIMESTAMP", Length: -1, Optional: true}, in: "0000-00-00 00:00:00", want: nil},
		{col: tables.Column{TypeName: "VARCHAR", Charset: "latin1"}, in: "\x80 caf\xe9", want: "€ café"},
		{col: tables.Column{TypeName: "REAL"}, in: 1.5, want: float32(1.5)},
		{col: tables.Column{TypeName: "FLOAT", Length: 30}, in: 0.1, want: 0.1},
	}
	for i, tt := range tests {
		tt.col.Name = "c"
		if tt.col.Length == 0 {
			tt.col.Length = -1
		}
		e := newEvents(t, "p", tt.m)
		tb, err := e.Table(&tables.Table{ID: tables.ID{DB: "d", Table: "t"}, Columns: []tables.Column{tt.col}}, nil)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		_, v, err := tb.FromBinlog([]any{tt.in})
		if err != nil {
			t.Errorf("%d: %s %#v: %v", i, tt.col.TypeName, tt.in, err)
			continue
		}
		if got := v.Get("c"); !schemas.EqualValues(got, tt.want) {
			t.Errorf("%d: %s %#v = %#v, want %#v", i, tt.col.TypeName, tt.in, got, tt.want)
		}
	}
}

func mustRat(s string) any {
	r, err := schemas.DecimalFromString(s)
	if err != nil {
		panic(err)
	}
	return r
}

// TestBadValuesAreErrors feeds values the column cannot hold: each is an
// error naming the table and column, never a panic.
func TestBadValuesAreErrors(t *testing.T) {
	e := newEvents(t, "p", Modes{})
	tests := []struct {
		col tables.Column
		bin any
		sql string
	}{
		{col: tables.Column{TypeName: "INT"}, bin: "12", sql: "twelve"},
		{col: tables.Column{TypeName: "INT UNSIGNED", Unsigned: true}, bin: 1.5, sql: "-1"},
		{col: tables.Column{TypeName: "DOUBLE"}, bin: "1", sql: "1e"},
		{col: tables.Column{TypeName: "DECIMAL", Length: 5, Scale: intPtr(2)}, bin: "1.2.3", sql: "--1"},
		{col: tables.Column{TypeName: "ENUM", EnumValues: []string{"a"}}, bin: int64(2), sql: ""},
		{col: tables.Column{TypeName: "SET", EnumValues: []string{"a"}}, bin: int64(2), sql: ""},
		{col: tables.Column{TypeName: "DATE"}, bin: "2024-13-01", sql: "2024-1-1"},
		{col: tables.Column{TypeName: "DATETIME", Length: 6}, bin: "2024-01-01 25:00:00", sql: "2024-01-01 00:00:00.1234567"},
		{col: tables.Column{TypeName: "TIME"}, bin: "12:60:00", sql: "12"},
		{col: tables.Column{TypeName: "TIMESTAMP"}, bin: int64(5), sql: "2024-01-01T00:00:00Z"},
		{col: tables.Column{TypeName: "BIT", Length: 8}, bin: "x", sql: "\x01\x02"},
		{col: tables.Column{TypeName: "YEAR"}, bin: "2024", sql: "MMXXIV"},
		{col: tables.Column{TypeName: "VARCHAR"}, bin: 5, sql: ""},
	}
	for i, tt := range tests {
		tt.col.Name = "col"
		if tt.col.Length == 0 {
			tt.col.Length = -1
		}
		tb, err := e.Table(&tables.Table{ID: tables.ID{DB: "d", Table: "t"}, Columns: []tables.Column{tt.col}}, nil)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if _, _, err := tb.FromBinlog([]any{tt.bin}); err == nil || !strings.Contains(err.Error(), "table d.t, column col") {
			t.Errorf("%d: %s from binlog %#v: error %v", i, tt.col.TypeName, tt.bin, err)
		}
		if tt.sql == "" && tt.col.TypeName != "DATE" {
			continue
		}
		if _, _, err := tb.RowFromSQL([]sql.RawBytes{[]byte(tt.sql)}); err == nil || !strings.Contains(err.Error(), "column col") {
			t.Errorf("%d: %s from SELECT %q: error %v", i, tt.col.TypeName, tt.sql, err)
		}
	}
	tb := mustTable(t, e, customers())
	if _, _, err := tb.FromBinlog([]any{int32(1), "a"}); err == nil || !strings.Contains(err.Error(), "2 values for 4 columns") {
		t.Errorf("short row: %v", err)
	}
	if _, _, err := tb.RowFromSQL(nil); err == nil {
		t.Error("empty SELECT row accepted")
	}
}

// TestRandomInputNeverPanics converts random bytes and values with every
// kind of column.
func TestRandomInputNeverPanics(t *testing.T) {
	cols := everyType()
	tbl := &tables.Table{ID: tables.ID{DB: "d", Table: "t"}, PrimaryKey: []string{"id"}}
	for _, c := range cols {
		tbl.Columns = append(tbl.Columns, c.col)
	}
	r := rand.New(rand.NewPCG(1, 2))
	values := []any{nil, int8(-1), int64(-1), uint64(1 << 63), 1.5, float32(2), "", "0000-00-00", "-", ":", "1:2:3",
		"2024-02-30 10:00:00", "9999-99-99", []byte{}, []byte{0xff, 0xfe}, true, struct{}{}}
	for _, m := range []Modes{{}, {Decimal: DecimalString, Time: TimeConnect, BigintUnsigned: BigintPrecise, Binary: BinaryHex}} {
		tb := mustTable(t, newEvents(t, "p", m), tbl)
		for range 2000 {
			bin := make([]any, len(cols))
			raw := make([]sql.RawBytes, len(cols))
			for i := range cols {
				bin[i] = values[r.IntN(len(values))]
				if r.IntN(4) > 0 {
					b := make([]byte, r.IntN(30))
					for j := range b {
						b[j] = "0123456789-:. eE+x\xff"[r.IntN(19)]
					}
					raw[i] = b
				}
			}
			_, _, _ = tb.FromBinlog(bin)
			_, _, _ = tb.RowFromSQL(raw)
		}
	}
}

func TestSchemaChangeDrop(t *testing.T) {
	e := newEvents(t, "p", Modes{})
	src := e.Source(&Source{DB: "inventory", File: "f"})
	id := tables.ID{DB: "inventory", Table: `odd"name`}
	_, v, err := e.SchemaChange(&SchemaChange{Source: src, Timestamp: time.UnixMilli(5), DB: "inventory",
		DDL: "DROP TABLE x", Changes: []TableChange{{Type: TableDrop, Table: &tables.Table{ID: id}}}})
	if err != nil {
		t.Fatal(err)
	}
	changes := v.Get("tableChanges").([]any)
	c := changes[0].(*schemas.Struct)
	if len(changes) != 1 || c.Get("type") != "DROP" || c.Get("id") != `"inventory"."odd""name"` || c.Get("table") != nil {
		t.Errorf("drop change %v", c)
	}
	withEnum := &tables.Table{ID: tables.ID{DB: "inventory", Table: "e"}, Columns: []tables.Column{
		{Name: "s", TypeName: "ENUM", Length: -1, Position: 1, EnumValues: []string{"on", "it's"}}}}
	_, v, err = e.SchemaChange(&SchemaChange{Source: src, DB: "inventory", DDL: "CREATE TABLE e ...",
		Changes: []TableChange{{Type: TableCreate, Table: withEnum}}})
	if err != nil {
		t.Fatal(err)
	}
	tbl := v.Get("tableChanges").([]any)[0].(*schemas.Struct).Get("table").(*schemas.Struct)
	col := tbl.Get("columns").([]any)[0].(*schemas.Struct)
	if vals := col.Get("enumValues").([]any); len(vals) != 2 || vals[0] != "'on'" || vals[1] != "'it''s'" {
		t.Errorf("enumValues %v, want the quoted literals", vals)
	}
	_, v, err = e.SchemaChange(&SchemaChange{Source: src, DB: "inventory", DDL: "CREATE DATABASE inventory"})
	if err != nil || len(v.Get("tableChanges").([]any)) != 0 {
		t.Errorf("database change %v, %v", v, err)
	}
	if _, _, err := e.SchemaChange(&SchemaChange{Source: src, Changes: []TableChange{{Type: "TRUNCATE", ID: id}}}); err == nil {
		t.Error("a TRUNCATE table change was accepted")
	}
	if _, _, err := e.SchemaChange(&SchemaChange{Source: src, Changes: []TableChange{{Type: TableAlter}}}); err == nil {
		t.Error("a table change without a table was accepted")
	}
	if _, _, err := e.SchemaChange(&SchemaChange{DDL: "x"}); err == nil {
		t.Error("a schema change without source was accepted")
	}
}

func TestNameAdjustment(t *testing.T) {
	tests := []struct {
		name  string
		mode  NameAdjustment
		field bool
		want  string
	}{
		{"p.db.my-table.Value", AdjustNone, false, "p.db.my-table.Value"},
		{"p.db.my-table.Value", AdjustAvro, false, "p.db.my_table.Value"},
		{"1st.db.t", AdjustAvro, false, "_1st.db.t"},
		{"a.b", AdjustAvro, true, "a_b"},
		{"my_col", AdjustAvroUnicode, true, "my_u005fcol"},
		{"prix-€", AdjustAvroUnicode, true, "prix_u002d_u20ac"},
		{"🎉", AdjustAvro, true, "__"},
		{"ok_name", AdjustAvro, true, "ok_name"},
	}
	for _, tt := range tests {
		if got := adjustName(tt.name, tt.mode, tt.field); got != tt.want {
			t.Errorf("adjustName(%q, %d, %v) = %q, want %q", tt.name, tt.mode, tt.field, got, tt.want)
		}
	}
	m, err := ParseModes(map[string]string{SchemaNameAdjustmentModeKey: "avro", FieldNameAdjustmentModeKey: "avro_unicode"})
	if err != nil || m.SchemaNames != AdjustAvro || m.FieldNames != AdjustAvroUnicode {
		t.Fatalf("ParseModes: %+v, %v", m, err)
	}
	e := newEvents(t, "p", m)
	tb, err := e.Table(&tables.Table{ID: tables.ID{DB: "d", Table: "my-t"}, PrimaryKey: []string{"my_id"},
		Columns: []tables.Column{{Name: "my_id", TypeName: "INT", Length: -1}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Topic != "p.d.my-t" || tb.ValueSchema.Name != "p.d.my_t.Value" || tb.KeySchema.Fields[0].Name != "my_u005fid" ||
		tb.ValueSchema.Fields[0].Name != "my_u005fid" || tb.EnvelopeSchema.Name != "p.d.my_t.Envelope" {
		t.Errorf("topic %s, schemas %s %s %s", tb.Topic, tb.ValueSchema.Name, tb.KeySchema.Fields[0].Name, tb.EnvelopeSchema.Name)
	}
}
