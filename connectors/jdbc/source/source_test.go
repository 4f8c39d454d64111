package source

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/mysqlconn"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/storage"
	"github.com/sluicehq/sluice/schemas"
	avroconv "github.com/sluicehq/sluice/schemas/avro"
)

// offsetStore is the runtime's in-memory offset store behind the task
// context's OffsetReader: partitions are looked up by their meaning, and
// numbers come back as the stores return them.
type offsetStore struct{ m *storage.MemoryOffsets }

func newOffsetStore() offsetStore { return offsetStore{storage.NewMemoryOffsets()} }

func (o offsetStore) Offset(ctx context.Context, p map[string]any) (map[string]any, error) {
	return o.m.Get(ctx, "c", p)
}

func (o offsetStore) Offsets() connectors.OffsetReader { return o }

// put stores an offset as a Confluent worker wrote it: the JSON text of the
// partition and the offset, decoded as the stores decode them.
func (o offsetStore) put(t *testing.T, partition, offset string) {
	t.Helper()
	p, err := storage.DecodeJSONMap([]byte(partition))
	if err != nil {
		t.Fatal(err)
	}
	off, err := storage.DecodeJSONMap([]byte(offset))
	if err != nil {
		t.Fatal(err)
	}
	if err := o.m.Put(context.Background(), "c", []storage.Offset{{Partition: p, Offset: off}}); err != nil {
		t.Fatal(err)
	}
}

// commit stores the offset of each record, as the runtime does once Kafka
// acknowledged them.
func (o offsetStore) commit(t *testing.T, recs []connectors.SourceRecord) {
	t.Helper()
	for _, r := range recs {
		if r.SourceOffset == nil {
			continue
		}
		if err := o.m.Put(context.Background(), "c", []storage.Offset{{Partition: r.SourcePartition, Offset: r.SourceOffset}}); err != nil {
			t.Fatal(err)
		}
	}
}

func baseProps(d testkit.Database, extra ...string) map[string]string {
	p := map[string]string{
		ConnectionURLKey: d.JDBCURL, ConnectionUserKey: d.User, ConnectionPasswordKey: d.Password,
		TopicPrefixKey: "p-", PollIntervalKey: "0", ConnectionAttemptsKey: "1",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		p[extra[i]] = extra[i+1]
	}
	return p
}

type reconfigs struct{ n atomic.Int32 }

func (r *reconfigs) RequestTaskReconfiguration() { r.n.Add(1) }
func (r *reconfigs) RaiseError(error)            {}

// startTasks starts the connector and its tasks (at most maxTasks).
func startTasks(t *testing.T, props map[string]string, maxTasks int, offs offsetStore) []*task {
	t.Helper()
	c := New()
	if err := c.Start(context.Background(), &reconfigs{}, props); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	cfgs, err := c.TaskConfigs(maxTasks)
	if err != nil {
		t.Fatal(err)
	}
	var tasks []*task
	for _, tc := range cfgs {
		tk := c.NewTask().(*task)
		if err := tk.Start(context.Background(), offs, tc); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tk.Stop(context.Background()) })
		tasks = append(tasks, tk)
	}
	return tasks
}

func startTask(t *testing.T, props map[string]string, offs offsetStore) *task {
	t.Helper()
	tasks := startTasks(t, props, 1, offs)
	if len(tasks) != 1 {
		t.Fatalf("%d tasks, want 1", len(tasks))
	}
	return tasks[0]
}

// drain polls until a poll returns nothing, committing the offsets.
func drain(t *testing.T, tk *task, offs offsetStore) []connectors.SourceRecord {
	t.Helper()
	var all []connectors.SourceRecord
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatal("the task never runs dry")
		}
		recs, err := tk.Poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return all
		}
		if len(recs) > tk.st.batchMaxRows && tk.st.mode != ModeTimestamp {
			t.Fatalf("a poll returned %d records, batch.max.rows is %d", len(recs), tk.st.batchMaxRows)
		}
		offs.commit(t, recs)
		all = append(all, recs...)
	}
}

func field(t *testing.T, r connectors.SourceRecord, name string) any {
	t.Helper()
	s, ok := r.Value.(*schemas.Struct)
	if !ok {
		t.Fatalf("value %T", r.Value)
	}
	return s.Get(name)
}

func ids(t *testing.T, recs []connectors.SourceRecord, col string) []int64 {
	t.Helper()
	var out []int64
	for _, r := range recs {
		n, ok := toInt64(field(t, r, col))
		if !ok {
			t.Fatalf("%s = %v", col, field(t, r, col))
		}
		out = append(out, n)
	}
	return out
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestIncrementing(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20))",
		"INSERT INTO t (name) VALUES ('a'),('b'),('c'),('d'),('e')")
	offs := newOffsetStore()
	tk := startTask(t, baseProps(d, ModeKey, ModeIncrementing, BatchMaxRowsKey, "2"), offs)
	recs := drain(t, tk, offs)
	if got := ids(t, recs, "id"); fmt.Sprint(got) != "[1 2 3 4 5]" {
		t.Fatalf("ids %v", got)
	}
	r := recs[4]
	if r.Topic != "p-t" || r.Key != nil || r.KeySchema != nil || r.ValueSchema.Name != "t" {
		t.Fatalf("record %+v", r.Record)
	}
	if p := mustJSON(r.SourcePartition); p != `{"protocol":"1","table":"`+d.Name+`.t"}` {
		t.Fatalf("partition %s", p)
	}
	if o := mustJSON(r.SourceOffset); o != `{"incrementing":5}` {
		t.Fatalf("offset %s", o)
	}
	d.Exec(t, "INSERT INTO t (name) VALUES ('f'),('g')", "UPDATE t SET name='x' WHERE id=1")
	if got := ids(t, drain(t, tk, offs), "id"); fmt.Sprint(got) != "[6 7]" {
		t.Fatalf("after inserts: ids %v", got)
	}
	// A new task resumes from the committed offset.
	d.Exec(t, "INSERT INTO t (name) VALUES ('h')")
	tk2 := startTask(t, baseProps(d, ModeKey, ModeIncrementing), offs)
	if got := ids(t, drain(t, tk2, offs), "id"); fmt.Sprint(got) != "[8]" {
		t.Fatalf("after restart: ids %v", got)
	}
}

func TestTimestampEqualTimestampsAcrossBatches(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT PRIMARY KEY, ts DATETIME(6) NOT NULL)")
	var vals []string
	// 2 rows at :01, 7 at :02.000001, 1 at :03: pages of 3 cut the group of 7.
	for i := 1; i <= 10; i++ {
		ts := "2026-01-01 00:00:02.000001"
		switch {
		case i <= 2:
			ts = "2026-01-01 00:00:01"
		case i == 10:
			ts = "2026-01-01 00:00:03"
		}
		vals = append(vals, fmt.Sprintf("(%d,'%s')", i, ts))
	}
	d.Exec(t, "INSERT INTO t VALUES "+strings.Join(vals, ","))
	offs := newOffsetStore()
	props := baseProps(d, ModeKey, ModeTimestamp, TimestampColumnKey, "ts", BatchMaxRowsKey, "3")
	tk := startTask(t, props, offs)
	recs := drain(t, tk, offs)
	seen := map[int64]int{}
	for _, id := range ids(t, recs, "id") {
		seen[id]++
	}
	if len(seen) != 10 || len(recs) != 10 {
		t.Fatalf("read %d records of %d rows: %v", len(recs), len(seen), seen)
	}
	// Within the group of equal timestamps, only the last row carries the
	// group's timestamp: resuming inside the group reads it again.
	ms := time.Date(2026, 1, 1, 0, 0, 2, 1000, time.UTC).UnixMilli()
	var atGroup int
	for _, r := range recs {
		if r.SourceOffset["timestamp"] == ms {
			atGroup++
			if r.SourceOffset["timestamp_nanos"] != int64(1000) {
				t.Fatalf("offset %v", r.SourceOffset)
			}
		}
	}
	if atGroup != 1 {
		t.Fatalf("%d records carry the group's offset, want 1", atGroup)
	}
	// Resuming from an offset inside the group re-reads the whole group.
	offs2 := newOffsetStore()
	offs2.commit(t, recs[:4])
	tk2 := startTask(t, props, offs2)
	again := drain(t, tk2, offs2)
	if len(again) != 8 {
		t.Fatalf("resumed inside the group: %d records, want the group of 7 and the last row", len(again))
	}
	// Later rows and updated rows are read; a row at the same microsecond as
	// the offset is not read again.
	d.Exec(t, "INSERT INTO t VALUES (11, '2026-01-01 00:00:04')", "UPDATE t SET ts='2026-01-01 00:00:05' WHERE id=1")
	if got := ids(t, drain(t, tk, offs), "id"); fmt.Sprint(got) != "[11 1]" {
		t.Fatalf("after insert and update: ids %v", got)
	}
}

func TestTimestampIncrementing(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, ts TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), upd DATETIME NULL)",
		"INSERT INTO t (ts) VALUES ('2026-01-01 00:00:01.5'),('2026-01-01 00:00:01.5'),('2026-01-01 00:00:01.5'),('2026-01-01 00:00:02')")
	offs := newOffsetStore()
	props := baseProps(d, ModeKey, ModeTimestampIncrementing, TimestampColumnKey, "upd,ts", BatchMaxRowsKey, "2")
	tk := startTask(t, props, offs)
	recs := drain(t, tk, offs)
	if got := ids(t, recs, "id"); fmt.Sprint(got) != "[1 2 3 4]" {
		t.Fatalf("ids %v", got)
	}
	if o := mustJSON(recs[1].SourceOffset); o != fmt.Sprintf(`{"incrementing":2,"timestamp":%d,"timestamp_nanos":500000000}`, time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC).UnixMilli()+500) {
		t.Fatalf("offset %s", o)
	}
	// TIMESTAMP columns are instants: the session's time zone does not
	// change them.
	if ts := field(t, recs[3], "ts").(time.Time); !ts.Equal(time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC)) {
		t.Fatalf("ts %v", ts)
	}
	d.Exec(t, "UPDATE t SET ts='2026-01-01 00:00:03' WHERE id=2", "INSERT INTO t (ts) VALUES ('2026-01-01 00:00:02')")
	if got := ids(t, drain(t, tk, offs), "id"); fmt.Sprint(got) != "[5 2]" {
		t.Fatalf("after update and insert: ids %v", got)
	}
}

func TestBulkAndQuery(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(5))", "INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,'e')")
	offs := newOffsetStore()
	tk := startTask(t, baseProps(d, ModeKey, ModeBulk, BatchMaxRowsKey, "2", PollIntervalKey, "3600000"), offs)
	for round := 0; round < 2; round++ {
		tk.queriers[0].nextRun = time.Time{} // due again
		recs := drain(t, tk, offs)
		if len(recs) != 5 {
			t.Fatalf("round %d: %d records", round, len(recs))
		}
		if p := mustJSON(recs[0].SourcePartition); p != `{"table":"t"}` || recs[0].SourceOffset != nil {
			t.Fatalf("partition %s offset %v", p, recs[0].SourceOffset)
		}
	}

	q := baseProps(d, ModeKey, ModeIncrementing, QueryKey, "SELECT id, UPPER(v) AS v FROM t", IncrementingColumnKey, "id", TopicPrefixKey, "q-topic")
	tk = startTask(t, q, offs)
	recs := drain(t, tk, offs)
	if len(recs) != 5 || recs[0].Topic != "q-topic" || field(t, recs[0], "v") != "A" || recs[0].ValueSchema.Name != "" {
		t.Fatalf("query: %d records, first %+v", len(recs), recs[0].Record)
	}
	if p := mustJSON(recs[4].SourcePartition); p != `{"query":"query"}` {
		t.Fatalf("partition %s", p)
	}
	q[QueryKey] = "SELECT id FROM t WHERE id > 2"
	if _, err := parseSettings(q); err == nil || !strings.Contains(err.Error(), "may not have a WHERE clause") {
		t.Fatalf("a WHERE in incrementing mode: %v", err)
	}
	q[ModeKey], q[QueryKey], q[PollIntervalKey] = ModeBulk, "SELECT id FROM t WHERE id > 2", "3600000"
	tk = startTask(t, q, offs)
	if got := ids(t, drain(t, tk, offs), "id"); fmt.Sprint(got) != "[3 4 5]" {
		t.Fatalf("bulk query: %v", got)
	}
}

func TestConfluentOffsetsResumed(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, ts DATETIME(6) NOT NULL)",
		"INSERT INTO t (ts) VALUES ('2026-01-01 00:00:00.000100'),('2026-01-01 00:00:00.000200'),('2026-01-01 00:00:00.000300'),('2026-01-01 00:00:01')")
	props := baseProps(d, ModeKey, ModeIncrementing)
	for _, tc := range []struct {
		name  string
		store func(offsetStore)
		want  string
	}{
		{"v1", func(o offsetStore) { o.put(t, `{"protocol":"1","table":"`+d.Name+`.t"}`, `{"incrementing":2}`) }, "[3 4]"},
		{"legacy v0", func(o offsetStore) { o.put(t, `{"table":"t"}`, `{"incrementing":3}`) }, "[4]"},
		{"v1 before v0", func(o offsetStore) {
			o.put(t, `{"table":"t"}`, `{"incrementing":3}`)
			o.put(t, `{"table":"`+d.Name+`.t","protocol":"1"}`, `{"incrementing":1}`)
		}, "[2 3 4]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			offs := newOffsetStore()
			tc.store(offs)
			if got := ids(t, drain(t, startTask(t, props, offs), offs), "id"); fmt.Sprint(got) != tc.want {
				t.Fatalf("ids %v, want %s", got, tc.want)
			}
		})
	}
	// A timestamp offset keeps its microseconds in timestamp_nanos.
	ms := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	offs := newOffsetStore()
	offs.put(t, `{"protocol":"1","table":"`+d.Name+`.t"}`, fmt.Sprintf(`{"timestamp":%d,"timestamp_nanos":200000}`, ms))
	tsProps := baseProps(d, ModeKey, ModeTimestamp, TimestampColumnKey, "ts")
	if got := ids(t, drain(t, startTask(t, tsProps, offs), offs), "id"); fmt.Sprint(got) != "[3 4]" {
		t.Fatalf("timestamp offset: ids %v", got)
	}
	// timestamp.initial starts there when there is no offset.
	tsProps[TimestampInitialKey] = fmt.Sprint(ms + 1)
	offs = newOffsetStore()
	if got := ids(t, drain(t, startTask(t, tsProps, offs), offs), "id"); fmt.Sprint(got) != "[4]" {
		t.Fatalf("timestamp.initial: ids %v", got)
	}
	tsProps[TimestampInitialKey] = "-1"
	offs = newOffsetStore()
	if got := drain(t, startTask(t, tsProps, offs), offs); len(got) != 0 {
		t.Fatalf("timestamp.initial=-1: %d records", len(got))
	}
}

func TestTypes(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, `CREATE TABLE t (
		id INT AUTO_INCREMENT PRIMARY KEY,
		ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
		i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
		dec1 DECIMAL(10,2), dec2 DECIMAL(65,30), f FLOAT, db DOUBLE,
		b1 BIT(1), b64 BIT(64), bo BOOLEAN, t1 TINYINT(1),
		c CHAR(3), vc VARCHAR(10), tx TEXT, ttx TINYTEXT, mtx MEDIUMTEXT, ltx LONGTEXT,
		bin BINARY(3), vb VARBINARY(10), bl BLOB, tbl TINYBLOB, mbl MEDIUMBLOB, lbl LONGBLOB,
		dt DATE, tm TIME(3), dtm DATETIME(6), tsp TIMESTAMP(6) NULL, yr YEAR,
		en ENUM('x','y'), st SET('p','q'), js JSON, geo GEOMETRY, pt POINT,
		nn VARCHAR(3) NOT NULL DEFAULT 'z')`,
		`INSERT INTO t VALUES (NULL, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,
		-9223372036854775808, 18446744073709551615, -12345678.91, -12345678901234567890123456789012345.123456789012345678901234567890,
		1.5, -2.25, b'1', b'1111111111111111111111111111111111111111111111111111111111111111', TRUE, 7,
		'ab', 'héllo', 'text', 'tiny', 'medium', 'long', x'000102', x'ff00', x'0a0b', x'01', x'02', x'03',
		'2024-02-29', '12:34:56.789', '2026-03-04 05:06:07.123456', '2026-03-04 05:06:07.654321', 2024,
		'y', 'p,q', '{"a": [1, 2]}', ST_GeomFromText('POINT(1 1)'), ST_GeomFromText('POINT(2 2)'), 'n')`,
		`INSERT INTO t (id) VALUES (NULL)`)
	offs := newOffsetStore()
	tk := startTask(t, baseProps(d, ModeKey, ModeIncrementing, DBTimezoneKey, "Europe/Paris"), offs)
	recs := drain(t, tk, offs)
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	s := recs[0].Value.(*schemas.Struct)
	schema := s.Schema()
	for _, skipped := range []string{"geo", "pt"} {
		if _, ok := schema.Field(skipped); ok {
			t.Errorf("spatial column %s not skipped", skipped)
		}
	}
	// The TIMESTAMP was written in the session time zone of the test's
	// connection: the server's default.
	var tspUnix string
	if err := d.DB.QueryRow("SELECT UNIX_TIMESTAMP(tsp) FROM t WHERE id = 1").Scan(&tspUnix); err != nil {
		t.Fatal(err)
	}
	tspSec, _ := strconv.ParseInt(strings.Split(tspUnix, ".")[0], 10, 64)
	rat := func(s string) *big.Rat { r, _ := new(big.Rat).SetString(s); return r }
	paris, _ := time.LoadLocation("Europe/Paris")
	want := map[string]struct {
		typ schemas.Type
		val any
	}{
		"ti": {schemas.TypeInt8, int8(-128)}, "tiu": {schemas.TypeInt16, int16(255)},
		"si": {schemas.TypeInt16, int16(-32768)}, "siu": {schemas.TypeInt32, int32(65535)},
		"mi": {schemas.TypeInt32, int32(-8388608)}, "miu": {schemas.TypeInt64, int64(16777215)},
		"i": {schemas.TypeInt32, int32(-2147483648)}, "iu": {schemas.TypeInt64, int64(4294967295)},
		"bi": {schemas.TypeInt64, int64(-9223372036854775808)}, "biu": {schemas.TypeBytes, rat("18446744073709551615")},
		"dec1": {schemas.TypeBytes, rat("-12345678.91")},
		"dec2": {schemas.TypeBytes, rat("-12345678901234567890123456789012345.123456789012345678901234567890")},
		"f":    {schemas.TypeFloat32, float32(1.5)}, "db": {schemas.TypeFloat64, -2.25},
		"b1": {schemas.TypeInt8, int8(1)}, "b64": {schemas.TypeInt64, int64(-1)}, "bo": {schemas.TypeInt8, int8(1)}, "t1": {schemas.TypeInt8, int8(7)},
		"c": {schemas.TypeString, "ab"}, "vc": {schemas.TypeString, "héllo"}, "tx": {schemas.TypeString, "text"},
		"ttx": {schemas.TypeString, "tiny"}, "mtx": {schemas.TypeString, "medium"}, "ltx": {schemas.TypeString, "long"},
		"bin": {schemas.TypeBytes, []byte{0, 1, 2}}, "vb": {schemas.TypeBytes, []byte{0xff, 0}}, "bl": {schemas.TypeBytes, []byte{10, 11}},
		"tbl": {schemas.TypeBytes, []byte{1}}, "mbl": {schemas.TypeBytes, []byte{2}}, "lbl": {schemas.TypeBytes, []byte{3}},
		"dt":  {schemas.TypeInt32, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		"tm":  {schemas.TypeInt32, time.Date(1970, 1, 1, 12, 34, 56, 789e6, time.UTC)},
		"dtm": {schemas.TypeInt64, time.Date(2026, 3, 4, 5, 6, 7, 123e6, paris)},
		"tsp": {schemas.TypeInt64, time.Unix(tspSec, 654e6)},
		"yr":  {schemas.TypeInt32, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		"en":  {schemas.TypeString, "y"}, "st": {schemas.TypeString, "p,q"}, "js": {schemas.TypeString, `{"a": [1, 2]}`},
		"nn": {schemas.TypeString, "n"},
	}
	for name, w := range want {
		f, ok := schema.Field(name)
		if !ok {
			t.Errorf("no field %s", name)
			continue
		}
		if f.Schema.Type != w.typ {
			t.Errorf("%s: type %v, want %v", name, f.Schema.Type, w.typ)
		}
		if f.Schema.Optional == (name == "nn") {
			t.Errorf("%s: optional %v", name, f.Schema.Optional)
		}
		got := s.Get(name)
		switch wv := w.val.(type) {
		case *big.Rat:
			if g, ok := got.(*big.Rat); !ok || g.Cmp(wv) != 0 {
				t.Errorf("%s = %v, want %v", name, got, wv.FloatString(30))
			}
		case time.Time:
			if g, ok := got.(time.Time); !ok || !g.Equal(wv) {
				t.Errorf("%s = %v, want %v", name, got, wv)
			}
		case []byte:
			if g, ok := got.([]byte); !ok || string(g) != string(wv) {
				t.Errorf("%s = %v, want %v", name, got, wv)
			}
		default:
			if got != w.val {
				t.Errorf("%s = %#v, want %#v", name, got, w.val)
			}
		}
	}
	if f, _ := schema.Field("dec2"); f.Schema.Name != schemas.DecimalName || f.Schema.Parameters["scale"] != "30" || f.Schema.Parameters[precisionParam] != "65" {
		t.Errorf("dec2 schema %v", f.Schema)
	}
	// The second row is NULL everywhere but id and nn.
	s2 := recs[1].Value.(*schemas.Struct)
	for name := range want {
		if name != "nn" && s2.Get(name) != nil {
			t.Errorf("%s = %v, want null", name, s2.Get(name))
		}
	}
	// Every record converts to Avro (Confluent's AvroData mapping) and back.
	data := avroconv.NewData(avroconv.DefaultDataConfig())
	ws, err := data.FromConnectSchema(schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		b, err := ws.Encode(r.Value)
		if err != nil {
			t.Fatal(err)
		}
		var back any
		if err := avro.Unmarshal(ws.Avro, b, &back); err != nil {
			t.Fatal(err)
		}
		_, v, err := data.ToConnectData(ws.Avro, back)
		if err != nil {
			t.Fatal(err)
		}
		if !v.(*schemas.Struct).Equal(r.Value.(*schemas.Struct)) {
			t.Errorf("Avro round trip:\n%v\n%v", v, r.Value)
		}
	}
	// numeric.mapping applies to DECIMAL columns.
	offs = newOffsetStore()
	tk = startTask(t, baseProps(d, ModeKey, ModeIncrementing, NumericMappingKey, NumericBestFit), offs)
	s = drain(t, tk, offs)[0].Value.(*schemas.Struct)
	if s.Get("dec1") != -12345678.91 {
		t.Errorf("best_fit dec1 = %#v", s.Get("dec1"))
	}
	if _, ok := s.Get("dec2").(*big.Rat); !ok {
		t.Errorf("best_fit dec2 (precision 65) = %#v, want a Decimal", s.Get("dec2"))
	}
	// timestamp.granularity keeps every digit.
	offs = newOffsetStore()
	tk = startTask(t, baseProps(d, ModeKey, ModeIncrementing, TimestampGranularityKey, GranularityNanosISO), offs)
	s = drain(t, tk, offs)[0].Value.(*schemas.Struct)
	if s.Get("tsp") != time.Unix(tspSec, 654321000).UTC().Format("2006-01-02T15:04:05.000000000") {
		t.Errorf("nanos_iso tsp = %#v", s.Get("tsp"))
	}
}

func TestTimeOutOfRangeAndZeroDates(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "SET SESSION sql_mode=''", "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, tm TIME, dt DATETIME)")
	if _, err := d.DB.Exec("INSERT INTO t (tm, dt) VALUES ('-01:00:00', '2026-01-01'), ('00:00:01', '0000-00-00 00:00:00')"); err != nil {
		t.Fatal(err)
	}
	offs := newOffsetStore()
	tk := startTask(t, baseProps(d, ModeKey, ModeIncrementing, BatchMaxRowsKey, "1"), offs)
	_, err := tk.Poll(context.Background())
	if err == nil || !strings.Contains(err.Error(), `column "tm"`) || !strings.Contains(err.Error(), "-01:00:00") || connectors.IsRetriable(err) {
		t.Fatalf("negative TIME: %v", err)
	}
	props := baseProps(d, ModeKey, ModeIncrementing)
	offs.put(t, `{"protocol":"1","table":"`+d.Name+`.t"}`, `{"incrementing":1}`)
	_, err = startTask(t, props, offs).Poll(context.Background())
	if err == nil || !strings.Contains(err.Error(), `column "dt"`) || !strings.Contains(err.Error(), "zeroDateTimeBehavior") {
		t.Fatalf("zero date by default: %v", err)
	}
	props[ConnectionURLKey] = d.JDBCURL + "?zeroDateTimeBehavior=CONVERT_TO_NULL"
	recs := drain(t, startTask(t, props, offs), offs)
	if len(recs) != 1 || field(t, recs[0], "dt") != nil {
		t.Fatalf("zero date as null: %v", recs)
	}
	offs.put(t, `{"protocol":"1","table":"`+d.Name+`.t"}`, `{"incrementing":1}`)
	props[ConnectionURLKey] = d.JDBCURL + "?zeroDateTimeBehavior=ROUND"
	recs = drain(t, startTask(t, props, offs), offs)
	if len(recs) != 1 || !field(t, recs[0], "dt").(time.Time).Equal(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("zero date rounded: %v", recs)
	}
}

func TestValidate(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT NULL, ts DATETIME NULL)", "CREATE TABLE auto (id INT AUTO_INCREMENT PRIMARY KEY)",
		"CREATE TABLE mixed (ts DATETIME NOT NULL, tsp TIMESTAMP NOT NULL)")
	// As the runtime's config/validate endpoint: Validate, then, when it
	// found nothing, ValidateLive.
	errs := func(props map[string]string) map[string]string {
		out := map[string]string{}
		for _, r := range New().Validate(props) {
			if len(r.Errors) > 0 {
				out[r.Name] = strings.Join(r.Errors, "; ")
			}
		}
		if len(out) > 0 {
			return out
		}
		for _, r := range New().ValidateLive(context.Background(), props) {
			if len(r.Errors) > 0 {
				out[r.Name] = strings.Join(r.Errors, "; ")
			}
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		props map[string]string
		key   string
		want  string
	}{
		{"no mode", baseProps(d), ModeKey, "Query mode must be specified"},
		{"wrong password", baseProps(d, ModeKey, ModeBulk, ConnectionPasswordKey, "not-the-password"), ConnectionPasswordKey, "access denied"},
		{"unreachable", baseProps(d, ModeKey, ModeBulk, ConnectionURLKey, "jdbc:mysql://127.0.0.1:1/x", ConnectionAttemptsKey, "3"), ConnectionURLKey, "cannot reach MySQL at 127.0.0.1:1"},
		{"missing table", baseProps(d, ModeKey, ModeBulk, TableWhitelistKey, "auto,nope"), TableWhitelistKey, "no table nope"},
		{"nullable incrementing", baseProps(d, ModeKey, ModeIncrementing, IncrementingColumnKey, "id", TableWhitelistKey, "t"), IncrementingColumnKey, "is nullable"},
		{"no auto increment", baseProps(d, ModeKey, ModeIncrementing, TableWhitelistKey, "t"), IncrementingColumnKey, "has no AUTO_INCREMENT column"},
		{"mode needs a column", baseProps(d, ModeKey, ModeTimestamp), TimestampColumnKey, "needs timestamp.column.name"},
		{"missing column", baseProps(d, ModeKey, ModeTimestamp, TimestampColumnKey, "nope", TableWhitelistKey, "auto"), TimestampColumnKey, `has no column "nope"`},
		{"mixed timestamp types", baseProps(d, ModeKey, ModeTimestamp, TimestampColumnKey, "ts,tsp", TableWhitelistKey, "mixed", DBTimezoneKey, "Europe/Paris"), TimestampColumnKey, "mix TIMESTAMP and DATETIME"},
		{"nullable timestamp", baseProps(d, ModeKey, ModeTimestamp, TimestampColumnKey, "ts", TableWhitelistKey, "t"), TimestampColumnKey, "all of these columns are nullable"},
		{"both lists", baseProps(d, ModeKey, ModeBulk, TableWhitelistKey, "t", TableBlacklistKey, "auto"), TableWhitelistKey, "may not both be set"},
		{"bad regex", baseProps(d, ModeKey, ModeBulk, TableIncludeListKey, "(x"), TableIncludeListKey, "not a regular expression"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := errs(tc.props)
			if !strings.Contains(got[tc.key], tc.want) {
				t.Fatalf("errors %v, want %q on %s", got, tc.want, tc.key)
			}
			for k, v := range got {
				if strings.Contains(v, d.Password) || strings.Contains(v, "not-the-password") {
					t.Fatalf("%s shows the password: %s", k, v)
				}
			}
		})
	}
	// Validate alone (run on every create, update and start) never
	// connects: a database that is down or a missing table is no error.
	for _, p := range []map[string]string{
		baseProps(d, ModeKey, ModeBulk, ConnectionURLKey, "jdbc:mysql://127.0.0.1:1/x"),
		baseProps(d, ModeKey, ModeBulk, TableWhitelistKey, "nope"),
		baseProps(d, ModeKey, ModeIncrementing, IncrementingColumnKey, "id", TableWhitelistKey, "t"),
	} {
		for _, r := range New().Validate(p) {
			if len(r.Errors) > 0 {
				t.Fatalf("Validate without the database: %s: %v", r.Name, r.Errors)
			}
		}
	}
	ok := baseProps(d, ModeKey, ModeIncrementing, TableWhitelistKey, "auto")
	if got := errs(ok); len(got) != 0 {
		t.Fatalf("a good configuration: %v", got)
	}
	ok[ValidateNonNullKey], ok[TableWhitelistKey], ok[IncrementingColumnKey] = "false", "t", "id"
	if got := errs(ok); len(got) != 0 {
		t.Fatalf("validate.non.null=false: %v", got)
	}
}

func TestTableMonitorAndTaskSpread(t *testing.T) {
	d := testkit.NewDatabase(t)
	for i := 1; i <= 5; i++ {
		d.Exec(t, fmt.Sprintf("CREATE TABLE t%d (id INT AUTO_INCREMENT PRIMARY KEY)", i))
	}
	c := New()
	rc := &reconfigs{}
	props := baseProps(d, ModeKey, ModeIncrementing, TablePollIntervalKey, "20", TableBlacklistKey, "t5")
	if err := c.Start(context.Background(), rc, props); err != nil {
		t.Fatal(err)
	}
	defer c.Stop(context.Background())
	cfgs, _ := c.TaskConfigs(3)
	var got []string
	for _, tc := range cfgs {
		got = append(got, tc[TablesKey])
	}
	n := d.Name
	if want := fmt.Sprintf("[`%s`.`t1`,`%s`.`t2` `%s`.`t3` `%s`.`t4`]", n, n, n, n); fmt.Sprint(got) != want {
		t.Fatalf("tables %v, want %s", got, want)
	}
	// As Confluent's: the connector's configuration, the task's tables
	// and tables.fetched.
	for _, tc := range cfgs {
		want := maps.Clone(props)
		want[TablesKey], want[tablesFetchedKey] = tc[TablesKey], "true"
		if !maps.Equal(tc, want) {
			t.Fatalf("task configuration %v, want %v", tc, want)
		}
	}
	d.Exec(t, "CREATE TABLE t6 (id INT AUTO_INCREMENT PRIMARY KEY)")
	deadline := time.Now().Add(10 * time.Second)
	for rc.n.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no reconfiguration after a new table")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cfgs, _ = c.TaskConfigs(1)
	if len(cfgs) != 1 || !strings.Contains(cfgs[0][TablesKey], "`t6`") {
		t.Fatalf("after the new table: %v", cfgs)
	}
	d.Exec(t, "DROP TABLE t1")
	for rc.n.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("no reconfiguration after a dropped table")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := c.Stop(context.Background()); err != nil { // ends the monitor: Stop waits for it
		t.Fatal(err)
	}
}

func TestHostileNames(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE `we``ird.tab,le` (`ç``ol.x` INT AUTO_INCREMENT PRIMARY KEY, `sel ect` VARCHAR(5))",
		"INSERT INTO `we``ird.tab,le` (`sel ect`) VALUES ('a'),('b')")
	offs := newOffsetStore()
	tasks := startTasks(t, baseProps(d, ModeKey, ModeIncrementing, BatchMaxRowsKey, "1"), 4, offs)
	if len(tasks) != 1 {
		t.Fatalf("%d tasks", len(tasks))
	}
	recs := drain(t, tasks[0], offs)
	if got := ids(t, recs, "ç`ol.x"); fmt.Sprint(got) != "[1 2]" {
		t.Fatalf("ids %v", got)
	}
	if recs[0].Topic != "p-we`ird.tab,le" || mustJSON(recs[1].SourcePartition) != mustJSON(map[string]any{"protocol": "1", "table": d.Name + ".we`ird.tab,le"}) {
		t.Fatalf("topic %q partition %v", recs[0].Topic, recs[1].SourcePartition)
	}
}

func TestPollWaitsOnContextAndFailsOnSQLErrors(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)", "INSERT INTO t (v) VALUES (1)")
	offs := newOffsetStore()
	tk := startTask(t, baseProps(d, ModeKey, ModeIncrementing, PollIntervalKey, "3600000"), offs)
	if recs, err := tk.Poll(context.Background()); err != nil || len(recs) != 1 {
		t.Fatalf("first poll: %d records, %v", len(recs), err)
	}
	start := time.Now()
	if recs, err := tk.Poll(context.Background()); err != nil || len(recs) != 0 || time.Since(start) > 3*time.Second {
		t.Fatalf("idle poll: %d records, %v, after %v", len(recs), err, time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start = time.Now()
	if _, err := tk.Poll(ctx); err != nil || time.Since(start) > time.Second {
		t.Fatalf("poll with a done context: %v after %v", err, time.Since(start))
	}

	d.Exec(t, "ALTER TABLE t ADD COLUMN ts DATETIME NULL")
	tk = startTask(t, baseProps(d, ModeKey, ModeTimestampIncrementing, TimestampColumnKey, "ts", ValidateNonNullKey, "false"), newOffsetStore())
	d.Exec(t, "ALTER TABLE t DROP COLUMN ts")
	_, err := tk.Poll(context.Background())
	if err == nil || connectors.IsRetriable(err) || !strings.Contains(err.Error(), "table "+d.Name+".t") || !strings.Contains(err.Error(), "Unknown column") {
		t.Fatalf("a dropped column: %v", err)
	}
}

func TestConfigDefaults(t *testing.T) {
	def := configDef()
	for key, want := range map[string]any{
		ConnectionAttemptsKey: int32(3), ConnectionBackoffKey: int64(10000), PollIntervalKey: int32(5000), BatchMaxRowsKey: int32(1000),
		TablePollIntervalKey: int64(60000), TimestampDelayKey: int64(0), DBTimezoneKey: "UTC", QuoteIdentifiersKey: "always",
		ValidateNonNullKey: true, TimestampGranularityKey: GranularityConnectLogical, QueryRetryAttemptsKey: int32(-1),
		ModeKey: "", NumericMappingKey: nil, TimestampInitialKey: nil,
	} {
		k, ok := def.Key(key)
		if !ok || fmt.Sprint(k.Default) != fmt.Sprint(want) {
			t.Errorf("%s: default %#v, want %#v", key, k.Default, want)
		}
	}
	if k, _ := def.Key(ConnectionPasswordKey); k.Type != config.Password {
		t.Errorf("connection.password is %v, not a PASSWORD", k.Type)
	}
	if k, _ := def.Key(TopicPrefixKey); !k.Required() {
		t.Error("topic.prefix has a default")
	}
}

func TestTablesKeyRoundTrip(t *testing.T) {
	in := []mysqlconn.TableID{{Database: "db", Table: "t"}, {Database: "d`b", Table: "a,b.c"}, {Table: "x"}, {Database: "ü", Table: "``"}}
	out, err := splitTables(joinTables(in))
	if err != nil || fmt.Sprint(out) != fmt.Sprint(in) {
		t.Fatalf("%v -> %q -> %v, %v", in, joinTables(in), out, err)
	}
	if out, err := splitTables("db.t,`d2`.u"); err != nil || fmt.Sprint(out) != "[db.t d2.u]" {
		t.Fatalf("unquoted names (quote.sql.identifiers=never): %v, %v", out, err)
	}
	for _, bad := range []string{"`a", "a.", "`a`x", "a.b.c", "a`b"} {
		if _, err := splitTables(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestSpatialColumnsWarnOnce(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, g GEOMETRY NULL, p POINT NULL)", "INSERT INTO t (id) VALUES (NULL),(NULL),(NULL)")
	var logs testkit.LogBuffer
	c := New()
	if err := c.Start(context.Background(), &reconfigs{}, baseProps(d, ModeKey, ModeIncrementing, BatchMaxRowsKey, "1")); err != nil {
		t.Fatal(err)
	}
	defer c.Stop(context.Background())
	cfgs, _ := c.TaskConfigs(1)
	tk := c.NewTask().(*task)
	tk.SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	offs := newOffsetStore()
	if err := tk.Start(context.Background(), offs, cfgs[0]); err != nil {
		t.Fatal(err)
	}
	defer tk.Stop(context.Background())
	if recs := drain(t, tk, offs); len(recs) != 3 || len(recs[0].ValueSchema.Fields) != 1 {
		t.Fatalf("%d records, schema %v", len(recs), recs[0].ValueSchema)
	}
	out := logs.String()
	for _, col := range []string{"column=g", "column=p"} {
		if n := strings.Count(out, col); n != 1 {
			t.Errorf("%d warnings naming %s, want 1:\n%s", n, col, out)
		}
	}
}

func TestLostConnectionIsRetriable(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY)")
	tk := startTask(t, baseProps(d, ModeKey, ModeIncrementing), newOffsetStore())
	u, err := mysqlconn.ParseURL("jdbc:mysql://127.0.0.1:1/x?connectTimeout=1000", "u", "")
	if err != nil {
		t.Fatal(err)
	}
	gone, err := mysqlconn.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	defer gone.Close()
	tk.queriers[0].db = gone
	_, err = tk.Poll(context.Background())
	if err == nil || !connectors.IsRetriable(err) || !strings.Contains(err.Error(), "table "+d.Name+".t") {
		t.Fatalf("lost connection: %v", err)
	}
	// The next poll waits connection.backoff.ms rather than hammering the
	// server: it returns nothing, without trying.
	if recs, err := tk.Poll(context.Background()); err != nil || len(recs) != 0 {
		t.Fatalf("poll during the backoff: %v, %v", recs, err)
	}
	if wait := time.Until(tk.queriers[0].nextRun); wait < 5*time.Second {
		t.Fatalf("the table is due again in %v, want about connection.backoff.ms (10s)", wait)
	}
}

func TestValidateQuery(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY)")
	p := baseProps(d, ModeKey, ModeIncrementing, QueryKey, "SELECT id FROM nope", IncrementingColumnKey, "id")
	var got []string
	for _, r := range New().ValidateLive(context.Background(), p) {
		if r.Name == QueryKey {
			got = r.Errors
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "doesn't exist") {
		t.Fatalf("errors on query: %v", got)
	}
	p[QueryKey] = "SELECT id AS other FROM t"
	got = nil
	for _, r := range New().ValidateLive(context.Background(), p) {
		if r.Name == IncrementingColumnKey {
			got = r.Errors
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], `no column "id"`) {
		t.Fatalf("errors on %s: %v", IncrementingColumnKey, got)
	}
}

func TestTransactionIsolation(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY)", "INSERT INTO t VALUES (1),(2),(3)")
	for _, mode := range []string{ModeIncrementing, ModeBulk} {
		offs := newOffsetStore()
		tk := startTask(t, baseProps(d, ModeKey, mode, TransactionIsolationKey, "SERIALIZABLE", BatchMaxRowsKey, "2", PollIntervalKey, "3600000"), offs)
		if got := ids(t, drain(t, tk, offs), "id"); fmt.Sprint(got) != "[1 2 3]" {
			t.Fatalf("%s: ids %v", mode, got)
		}
	}
}

func TestDroppedTable(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE a (id INT AUTO_INCREMENT PRIMARY KEY)", "CREATE TABLE b (id INT AUTO_INCREMENT PRIMARY KEY)",
		"INSERT INTO a VALUES (1)", "INSERT INTO b VALUES (1)")
	offs := newOffsetStore()
	tk := startTask(t, baseProps(d, ModeKey, ModeIncrementing, TablePollIntervalKey, "1"), offs)
	if recs := drain(t, tk, offs); len(recs) != 2 {
		t.Fatalf("%d records before the drop", len(recs))
	}
	d.Exec(t, "DROP TABLE a", "INSERT INTO b VALUES (2)")
	var recs []connectors.SourceRecord
	for deadline := time.Now().Add(10 * time.Second); len(recs) == 0 && time.Now().Before(deadline); {
		recs = drain(t, tk, offs) // a poll of the dropped table returns nothing
	}
	if len(recs) != 1 || recs[0].Topic != "p-b" {
		t.Fatalf("after the drop: %v", recs)
	}
	// Re-created (with another column, before the connector's monitor
	// looked): read again, from the stored offset, with its new columns.
	d.Exec(t, "CREATE TABLE a (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(5))", "INSERT INTO a VALUES (1, 'old'), (2, 'new')")
	deadline := time.Now().Add(10 * time.Second)
	for len(recs) == 1 || recs[len(recs)-1].Topic != "p-a" {
		if time.Now().After(deadline) {
			t.Fatalf("the re-created table is not read: %v", recs)
		}
		recs = append(recs, drain(t, tk, offs)...)
	}
	if last := recs[len(recs)-1]; len(recs) != 2 || field(t, last, "v") != "new" {
		t.Fatalf("after the re-creation: %v", recs)
	}
}

// TestTimestampIsAnInstant: a TIMESTAMP is read as the instant it stores,
// whatever time zone its writer's session had; a DATETIME is the wall-clock
// time in db.timezone; criteria compare each in its own terms.
func TestTimestampIsAnInstant(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, tsp TIMESTAMP(6) NOT NULL, dtm DATETIME(6) NOT NULL)")
	ctx := context.Background()
	conn, err := d.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"SET time_zone='+05:00'", "INSERT INTO t (tsp, dtm) VALUES ('2026-01-01 05:00:02.5', '2026-01-01 05:00:02.5')"} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	_ = conn.Close()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	props := baseProps(d, ModeKey, ModeIncrementing, DBTimezoneKey, "Asia/Tokyo")
	offs := newOffsetStore()
	recs := drain(t, startTask(t, props, offs), offs)
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	if got := field(t, recs[0], "tsp").(time.Time); !got.Equal(time.Date(2026, 1, 1, 0, 0, 2, 5e8, time.UTC)) {
		t.Errorf("TIMESTAMP read as %v", got.UTC())
	}
	if got := field(t, recs[0], "dtm").(time.Time); !got.Equal(time.Date(2026, 1, 1, 5, 0, 2, 5e8, tokyo)) {
		t.Errorf("DATETIME read as %v", got.UTC())
	}
	for _, tc := range []struct {
		col     string
		initial time.Time
		want    int
	}{
		{"tsp", time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC), 1},
		{"tsp", time.Date(2026, 1, 1, 0, 0, 2, 5e8, time.UTC), 0},
		{"dtm", time.Date(2026, 1, 1, 5, 0, 2, 0, tokyo), 1},
		{"dtm", time.Date(2026, 1, 1, 5, 0, 3, 0, tokyo), 0},
	} {
		p := baseProps(d, ModeKey, ModeTimestamp, TimestampColumnKey, tc.col, DBTimezoneKey, "Asia/Tokyo", TimestampInitialKey, fmt.Sprint(tc.initial.UnixMilli()))
		offs := newOffsetStore()
		if got := drain(t, startTask(t, p, offs), offs); len(got) != tc.want {
			t.Errorf("%s after %v: %d records, want %d", tc.col, tc.initial, len(got), tc.want)
		}
	}
	// timestamp.delay.interval.ms holds back rows younger than the delay.
	d.Exec(t, "INSERT INTO t (tsp, dtm) VALUES (CURRENT_TIMESTAMP(6), '2026-01-01')")
	start := fmt.Sprint(time.Date(2026, 1, 1, 0, 0, 3, 0, time.UTC).UnixMilli())
	p := baseProps(d, ModeKey, ModeTimestamp, TimestampColumnKey, "tsp", TimestampInitialKey, start, TimestampDelayKey, "3600000")
	offs = newOffsetStore()
	if got := drain(t, startTask(t, p, offs), offs); len(got) != 0 {
		t.Errorf("with a delay of an hour: %d records", len(got))
	}
	p[TimestampDelayKey] = "0"
	offs = newOffsetStore()
	if got := drain(t, startTask(t, p, offs), offs); len(got) != 1 {
		t.Errorf("without a delay: %d records", len(got))
	}
}

// TestTablesTakeTurns: a task reading several tables takes them in turns,
// a page each, rather than draining one first.
func TestTablesTakeTurns(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE a (id INT AUTO_INCREMENT PRIMARY KEY)", "CREATE TABLE b (id INT AUTO_INCREMENT PRIMARY KEY)",
		"INSERT INTO a VALUES (1),(2),(3)", "INSERT INTO b VALUES (1),(2),(3)")
	tk := startTask(t, baseProps(d, ModeKey, ModeIncrementing, BatchMaxRowsKey, "1"), newOffsetStore())
	var topics []string
	for range 4 {
		recs, err := tk.Poll(context.Background())
		if err != nil || len(recs) != 1 {
			t.Fatalf("%v, %v", recs, err)
		}
		topics = append(topics, recs[0].Topic)
	}
	if fmt.Sprint(topics) != "[p-a p-b p-a p-b]" {
		t.Fatalf("topics in turn: %v", topics)
	}
}

// TestStartWithTheDatabaseDown: a connector started while its database is
// down does not fail; it runs no task, and configures them once the
// database answers.
func TestStartWithTheDatabaseDown(t *testing.T) {
	d := testkit.NewDatabase(t)
	// What waiting cannot cure fails the connector at once, naming it.
	err := New().Start(context.Background(), &reconfigs{}, baseProps(d, ModeKey, ModeBulk, ConnectionPasswordKey, "not-the-password"))
	if err == nil || !strings.Contains(err.Error(), "access denied") || strings.Contains(err.Error(), "not-the-password") {
		t.Fatalf("Start with a wrong password: %v", err)
	}
	m := testkit.StartMariaDB(t)
	db, err := sql.Open("mysql", m.DSN)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	m.Kill9()
	props := map[string]string{ConnectionURLKey: m.JDBCURL, ConnectionUserKey: m.User, ConnectionPasswordKey: m.Password,
		TopicPrefixKey: "p-", ModeKey: ModeIncrementing, ConnectionBackoffKey: "50"}
	c := New()
	rc := &reconfigs{}
	if err := c.Start(context.Background(), rc, props); err != nil {
		t.Fatalf("Start with the database down: %v", err)
	}
	defer c.Stop(context.Background())
	// Until the tables are listed, one task that reports the problem.
	cfgs, err := c.TaskConfigs(1)
	if err != nil || len(cfgs) != 1 || cfgs[0][tablesFetchedKey] != "false" {
		t.Fatalf("task configurations before the tables are known: %v, %v", cfgs, err)
	}
	err = c.NewTask().Start(context.Background(), newOffsetStore(), cfgs[0])
	if err == nil || !strings.Contains(err.Error(), "cannot reach") || !strings.Contains(err.Error(), m.Addr) {
		t.Fatalf("a task started while the database is down: %v", err)
	}
	m.Restart()
	deadline := time.Now().Add(30 * time.Second)
	for rc.n.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no reconfiguration once the database is back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cfgs, err = c.TaskConfigs(1)
	if err != nil || len(cfgs) != 1 || cfgs[0][TablesKey] != "`sluice`.`t`" || cfgs[0][tablesFetchedKey] != "true" {
		t.Fatalf("task configurations once the database is back: %v, %v", cfgs, err)
	}
}

// TestUpperBoundCutToColumnPrecision: the upper bound of a timestamp query
// is cut to the fractional digits the column holds, so that a row written
// later in the same second (or millisecond) as an earlier read, with the
// same timestamp, is still read. The database's clock is replaced: the
// bound is set, not raced.
func TestUpperBoundCutToColumnPrecision(t *testing.T) {
	for _, tc := range []struct {
		typ          string
		ts           string    // both rows' timestamp
		during, next time.Time // the clock at the first and at the second poll
	}{
		{"DATETIME", "2026-01-01 12:29:31", time.Date(2026, 1, 1, 12, 29, 31, 5e8, time.UTC), time.Date(2026, 1, 1, 12, 29, 32, 1e8, time.UTC)},
		{"TIMESTAMP", "2026-01-01 12:29:31", time.Date(2026, 1, 1, 12, 29, 31, 999999e3, time.UTC), time.Date(2026, 1, 1, 12, 29, 32, 0, time.UTC)},
		{"DATETIME(3)", "2026-01-01 12:29:31.500", time.Date(2026, 1, 1, 12, 29, 31, 500400e3, time.UTC), time.Date(2026, 1, 1, 12, 29, 31, 501e6, time.UTC)},
		{"DATE", "2026-01-01", time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 0, 0, 0, 1e3, time.UTC)},
	} {
		for _, mode := range []string{ModeTimestamp, ModeTimestampIncrementing, "query"} {
			t.Run(tc.typ+" "+mode, func(t *testing.T) {
				d := testkit.NewDatabase(t)
				d.Exec(t, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, ts "+tc.typ+" NOT NULL)",
					"INSERT INTO t (ts) VALUES ('"+tc.ts+"')")
				offs := newOffsetStore()
				props := baseProps(d, ModeKey, mode, TimestampColumnKey, "ts")
				if mode == "query" { // the precision from the query's result
					props[ModeKey], props[QueryKey] = ModeTimestamp, "SELECT * FROM t"
				}
				tk := startTask(t, props, offs)
				now := tc.during
				tk.queriers[0].clock = func(context.Context, *sql.DB) (time.Time, error) { return now, nil }
				got := drain(t, tk, offs)
				d.Exec(t, "INSERT INTO t (ts) VALUES ('"+tc.ts+"')") // the same second, after the read
				now = tc.next
				got = append(got, drain(t, tk, offs)...)
				if ids := ids(t, got, "id"); fmt.Sprint(ids) != "[1 2]" {
					t.Fatalf("ids read %v, want [1 2]", ids)
				}
			})
		}
	}
}

// TestSlowQueryOutlivesPollDeadline: a query slower than Poll's deadline
// (the runtime's next offset flush) completes and its rows are returned;
// a cancelled Poll cuts it, with a WARN.
func TestSlowQueryOutlivesPollDeadline(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY)", "INSERT INTO t VALUES (1)")
	var logs testkit.LogBuffer
	props := baseProps(d, ModeKey, ModeIncrementing, QueryKey, "SELECT id, SLEEP(0.5) AS s FROM t", IncrementingColumnKey, "id")
	tk := &task{log: slog.New(slog.NewTextHandler(&logs, nil))}
	if err := tk.Start(context.Background(), newOffsetStore(), props); err != nil {
		t.Fatal(err)
	}
	defer tk.Stop(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	recs, err := tk.Poll(ctx)
	if err != nil || len(recs) != 1 {
		t.Fatalf("a query slower than Poll's deadline: %d records, %v", len(recs), err)
	}
	d.Exec(t, "INSERT INTO t VALUES (2)")
	tk.queriers[0].query = "SELECT id, SLEEP(6) AS s FROM t"
	pollCancelled(t, tk)
	if !strings.Contains(logs.String(), "query cut") {
		t.Fatalf("no WARN for the cut query: %s", logs.String())
	}
}

// TestBulkTablesOneResultSetAtATime: bulk tables keep their result set
// open across polls; a task reads one to its end before the next, so it
// holds one connection for them, however many tables it reads.
func TestBulkTablesOneResultSetAtATime(t *testing.T) {
	d := testkit.NewDatabase(t)
	const tables = 8
	for i := range tables {
		d.Exec(t, fmt.Sprintf("CREATE TABLE t%d (id INT PRIMARY KEY)", i), fmt.Sprintf("INSERT INTO t%d VALUES (1),(2),(3)", i))
	}
	tk := startTask(t, baseProps(d, ModeKey, ModeBulk, BatchMaxRowsKey, "1", PollIntervalKey, "3600000"), newOffsetStore())
	var topics []string
	for polls := 0; len(topics) < 3*tables; polls++ {
		if polls > 10*tables {
			t.Fatalf("only %d records after %d polls", len(topics), polls)
		}
		recs, err := tk.Poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if inUse := tk.db.Stats().InUse; inUse > 1 {
			t.Fatalf("%d connections in use after %d records", inUse, len(topics))
		}
		for _, r := range recs {
			topics = append(topics, r.Topic)
		}
	}
	for i, topic := range topics {
		if want := fmt.Sprintf("p-t%d", i/3); topic != want {
			t.Fatalf("record %d from %s, want %s: %v", i, topic, want, topics)
		}
	}
}

// TestManyEqualTimestampsPaged: in timestamp mode, rows sharing one
// timestamp are paged through by the table's unique key, batch.max.rows at
// a time, each read once; a restart inside the group reads it again. A
// table without a unique key reads the group whole, with a WARN.
func TestManyEqualTimestampsPaged(t *testing.T) {
	for _, tc := range []struct {
		name, ddl string
		paged     bool
	}{
		{"primary key", "CREATE TABLE t (id INT NOT NULL, k VARCHAR(10) NOT NULL, ts DATETIME NOT NULL, PRIMARY KEY (k, id))", true},
		{"unique key", "CREATE TABLE t (id INT NOT NULL, k VARCHAR(10) NULL, ts DATETIME NOT NULL, UNIQUE KEY (k), UNIQUE KEY (id))", true},
		{"no key", "CREATE TABLE t (id INT NOT NULL, k VARCHAR(10), ts DATETIME NOT NULL)", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := testkit.NewDatabase(t)
			d.Exec(t, tc.ddl)
			const group = 3000
			vals := []string{"(0, 'a0', '2026-01-01 00:00:01')", fmt.Sprintf("(%d, 'z', '2026-01-01 00:00:03')", group+1)}
			for i := 1; i <= group; i++ {
				// Keys whose case-insensitive order is not their byte order.
				k := fmt.Sprintf("b%04d", i)
				if i%2 == 0 {
					k = strings.ToUpper(k)
				}
				vals = append(vals, fmt.Sprintf("(%d, '%s', '2026-01-01 00:00:02')", i, k))
			}
			d.Exec(t, "INSERT INTO t (id, k, ts) VALUES "+strings.Join(vals, ","))
			var logs testkit.LogBuffer
			props := baseProps(d, ModeKey, ModeTimestamp, TimestampColumnKey, "ts", BatchMaxRowsKey, "10")
			offs := newOffsetStore()
			tk := startTask(t, props, offs)
			tk.log = slog.New(slog.NewTextHandler(&logs, nil))
			tk.queriers[0].log = tk.log
			seen := map[int64]int{}
			var recs []connectors.SourceRecord
			for polls := 0; ; polls++ {
				if polls > 2*group {
					t.Fatal("the task never runs dry")
				}
				got, err := tk.Poll(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(got) == 0 {
					break
				}
				if tc.paged && len(got) > 10 {
					t.Fatalf("a poll returned %d records, batch.max.rows is 10", len(got))
				}
				recs = append(recs, got...)
			}
			for _, id := range ids(t, recs, "id") {
				seen[id]++
			}
			for id := int64(0); id <= group+1; id++ {
				if seen[id] != 1 {
					t.Fatalf("row %d read %d times (%d records)", id, seen[id], len(recs))
				}
			}
			groupMs := time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC).UnixMilli()
			for i, r := range recs {
				atGroup := r.SourceOffset["timestamp"] == groupMs
				if isLast := i == group; atGroup != isLast {
					t.Fatalf("record %d (id %v) has offset %v", i, field(t, r, "id"), r.SourceOffset)
				}
			}
			if warned := strings.Contains(logs.String(), "no unique key"); warned == tc.paged {
				t.Fatalf("WARN about the missing unique key: %v; logs: %s", warned, logs.String())
			}
			// A restart inside the group reads it again, whole.
			offs.commit(t, recs[:group/2])
			again := drain(t, startTask(t, props, offs), offs)
			if len(again) != group+1 {
				t.Fatalf("resumed inside the group: %d records, want %d", len(again), group+1)
			}
		})
	}
}

// TestZeroDatesInTimestampColumn: without an offset the timestamp modes
// start after the epoch, as Confluent's, so zero dates (and rows before
// 1970) are not read and do not fail the first run; the timestamp of a row
// follows zeroDateTimeBehavior.
func TestZeroDatesInTimestampColumn(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "SET SESSION sql_mode=''", "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, ts DATETIME NOT NULL)")
	if _, err := d.DB.Exec("INSERT INTO t (ts) VALUES ('0000-00-00 00:00:00'), ('1969-12-31 23:59:59'), ('1970-01-01 00:00:00'), ('2026-01-01 00:00:00')"); err != nil {
		t.Fatal(err)
	}
	for mode, want := range map[string]string{
		ModeTimestamp: "[4]",
		// (ts = epoch AND inc > ?) OR ts > epoch: the row at the epoch too.
		ModeTimestampIncrementing: "[3 4]",
	} {
		offs := newOffsetStore()
		recs := drain(t, startTask(t, baseProps(d, ModeKey, mode, TimestampColumnKey, "ts"), offs), offs)
		if got := ids(t, recs, "id"); fmt.Sprint(got) != want {
			t.Fatalf("%s: ids %v, want %s", mode, got, want)
		}
	}

	u, err := mysqlconn.ParseURL(d.JDBCURL, d.User, d.Password)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		behavior string
		want     time.Time
		err      string
	}{
		{"EXCEPTION", time.Time{}, "zeroDateTimeBehavior"},
		{"CONVERT_TO_NULL", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), ""}, // the next column
		{"ROUND", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), ""},
	} {
		uu := *u
		uu.ZeroDateTimeBehavior = tc.behavior
		st := &settings{url: &uu, zone: time.UTC, mode: ModeTimestamp, tsColumns: []string{"a", "b"}}
		q := &querier{st: st, name: "table t", tsCols: st.tsColumns,
			mapping: &mapping{zone: time.UTC, zeroDate: tc.behavior, cols: []column{{name: "a", kind: kDateTime}, {name: "b", kind: kDateTime}}}}
		got, err := q.rowTime([]any{[]byte("0000-00-00 00:00:00"), []byte("2026-01-02 00:00:00")}, []int{0, 1})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), `"a"`) {
				t.Fatalf("%s: %v, %v", tc.behavior, got, err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Fatalf("%s: %v, %v; want %v", tc.behavior, got, err, tc.want)
		}
	}
}

// TestQuerySuffixLimit: a query.suffix starting with LIMIT n is merged into
// the connector's LIMIT (the smaller wins), the rest of it kept.
func TestQuerySuffixLimit(t *testing.T) {
	for _, tc := range []struct {
		suffix string
		batch  int
		clause string
	}{
		{"LIMIT 3", 3, " LIMIT 3"},
		{"  limit 500 FOR UPDATE", 100, " LIMIT 100 FOR UPDATE"},
		{"LIMIT 3 LOCK IN SHARE MODE", 3, " LIMIT 3 LOCK IN SHARE MODE"},
		{"LIMIT 3 OFFSET 2", 100, " LIMIT 100 LIMIT 3 OFFSET 2"},
		{"LIMIT 3, 2", 100, " LIMIT 100 LIMIT 3, 2"},
		{"FOR UPDATE", 100, " LIMIT 100 FOR UPDATE"},
		{"", 100, " LIMIT 100"},
	} {
		st := &settings{querySuffix: tc.suffix, batchMaxRows: 100}
		if got := st.batch(); got != tc.batch {
			t.Errorf("%q: batch %d, want %d", tc.suffix, got, tc.batch)
		}
		if got := st.limitClause(st.batch()); got != tc.clause {
			t.Errorf("%q: %q, want %q", tc.suffix, got, tc.clause)
		}
	}
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, ts DATETIME NOT NULL)",
		"INSERT INTO t (ts) VALUES ('2026-01-01'),('2026-01-02'),('2026-01-03'),('2026-01-04'),('2026-01-05')")
	for _, mode := range []string{ModeIncrementing, ModeTimestamp, ModeTimestampIncrementing, ModeBulk} {
		offs := newOffsetStore()
		tk := startTask(t, baseProps(d, ModeKey, mode, TimestampColumnKey, "ts", QuerySuffixKey, "LIMIT 2", PollIntervalKey, "3600000"), offs)
		want := "[1 2 3 4 5]"
		if mode == ModeBulk {
			want = "[1 2]" // the whole statement's LIMIT, as Confluent's
		}
		if got := ids(t, drain(t, tk, offs), "id"); fmt.Sprint(got) != want {
			t.Fatalf("%s: ids %v, want %s", mode, got, want)
		}
	}
}

// TestHasWhere: only a WHERE of the query's own counts, not one in a
// subquery, a quoted string or name, or a comment.
func TestHasWhere(t *testing.T) {
	for q, want := range map[string]bool{
		"SELECT * FROM t WHERE a = 1":                                 true,
		"select * from t\nwhere(a=1)":                                 true,
		"SELECT * FROM (SELECT * FROM t WHERE a = 1) AS q":            false,
		"SELECT * FROM t JOIN (SELECT id FROM u WHERE x) s USING(id)": false,
		"SELECT * FROM (SELECT 1) q WHERE 1":                          true,
		"SELECT 'WHERE' AS w, `where` FROM t":                         false,
		"SELECT 'it''s (' AS w FROM t WHERE 1":                        true,
		"SELECT 'a\\' WHERE' FROM t":                                  false,
		"SELECT \"(\" FROM t WHERE 1":                                 true,
		"SELECT * FROM t -- WHERE a\n":                                false,
		"SELECT * FROM t # WHERE a":                                   false,
		"SELECT * FROM t /* WHERE ( */ WHERE 1":                       true,
		"SELECT * FROM t /* WHERE */":                                 false,
		"SELECT nowhere, where_x FROM t":                              false,
	} {
		if got := hasWhere(q); got != want {
			t.Errorf("hasWhere(%q) = %v, want %v", q, got, want)
		}
	}
	// Validate takes a query filtered in a subquery, as its error says to.
	p := map[string]string{ConnectionURLKey: "jdbc:mysql://127.0.0.1:1/x", TopicPrefixKey: "t", ModeKey: ModeIncrementing, IncrementingColumnKey: "id",
		QueryKey: "SELECT * FROM (SELECT * FROM t WHERE a = 1) AS q"}
	for _, r := range New().Validate(p) {
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %v", r.Name, r.Errors)
		}
	}
}

// TestTablesOfOtherDatabases: a whitelist entry or include pattern naming
// another database than the URL's is listed from that database.
func TestTablesOfOtherDatabases(t *testing.T) {
	d, other := testkit.NewDatabase(t), testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE here (id INT AUTO_INCREMENT PRIMARY KEY)", "INSERT INTO here VALUES (1)")
	other.Exec(t, "CREATE TABLE there (id INT AUTO_INCREMENT PRIMARY KEY)", "INSERT INTO there VALUES (7)")
	for key, value := range map[string]string{
		TableWhitelistKey:   "here," + other.Name + ".there",
		TableIncludeListKey: d.Name + `\.here,` + other.Name + `\.th.*`,
	} {
		props := baseProps(d, ModeKey, ModeIncrementing, key, value)
		for _, r := range New().ValidateLive(context.Background(), props) {
			t.Fatalf("%s: ValidateLive: %s: %v", key, r.Name, r.Errors)
		}
		offs := newOffsetStore()
		recs := drain(t, startTask(t, props, offs), offs)
		var got []string
		for _, r := range recs {
			got = append(got, fmt.Sprintf("%s:%v", r.Topic, field(t, r, "id")))
		}
		slices.Sort(got) // tables are read in the order of their databases' names
		if fmt.Sprint(got) != "[p-here:1 p-there:7]" {
			t.Fatalf("%s: records %v", key, got)
		}
	}
}

// TestSlowBulkQueryCancelled: a bulk query whose first row has not arrived
// is cut when Poll is cancelled, as incremental queries are; past Poll's
// deadline alone it goes on.
func TestSlowBulkQueryCancelled(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1)")
	tk := startTask(t, baseProps(d, ModeKey, ModeBulk, QueryKey, "SELECT id, SLEEP(0.5) AS s FROM t"), newOffsetStore())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if recs, err := tk.Poll(ctx); err != nil || len(recs) != 1 {
		t.Fatalf("past Poll's deadline: %d records, %v", len(recs), err)
	}
	tk.queriers[0].query = "SELECT id, SLEEP(6) AS s FROM t"
	tk.queriers[0].nextRun = time.Time{}
	pollCancelled(t, tk)
	if tk.queriers[0].rows != nil {
		t.Fatal("the cut result set is still open")
	}
}

// pollCancelled polls with a context cancelled after 100 ms, while a query
// that sleeps 6 s runs: Poll returns nothing, at once (well within 4 s,
// whatever the load).
func pollCancelled(t *testing.T, tk *task) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	if recs, err := tk.Poll(ctx); err != nil || len(recs) != 0 {
		t.Fatalf("a cancelled Poll: %d records, %v", len(recs), err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Fatalf("a cancelled Poll returned after %v", took)
	}
}

func (r *reconfigs) Logger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func (o offsetStore) Logger() *slog.Logger { return slog.New(slog.DiscardHandler) }
