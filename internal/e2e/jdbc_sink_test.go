package e2e

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

var (
	// upsertKey and upsertValue are the records of the upsert test: the
	// key is the primary key.
	upsertKey   = schemas.NewBuilder(schemas.TypeStruct).Name("sluice.e2e.Key").Field("id", schemas.Int32Schema).MustBuild()
	upsertValue = schemas.NewBuilder(schemas.TypeStruct).Name("sluice.e2e.Item").
			Field("name", schemas.StringSchema).Field("qty", schemas.Int64Schema).MustBuild()
)

// itemState is a row of the upsert test's table.
type itemState struct {
	name string
	qty  int64
}

// TestJDBCSinkUpsertDeletesKill9: upserts and tombstones (delete.enabled,
// pk.mode=record_key, auto.create) over 300 keys, produced while the sink
// runs; the worker is killed with SIGKILL mid-stream and restarted; once
// every record is committed the table equals the state the records
// describe, row for row.
func TestJDBCSinkUpsertDeletesKill9(t *testing.T) {
	const keys, total, chunk = 300, 20_000, 1_000
	e := newJDBCEnv(t)
	topic := testkit.NewTopic(t, e.bootstrap, 1)
	name := unique("upsert_sink")
	ap := e.newAvroProducer(topic)
	rng := rand.New(rand.NewPCG(15, 15))
	want := map[int32]itemState{}
	produced := 0
	produce := func(to int) {
		recs := make([]record, 0, to-produced)
		for i := produced; i < to; i++ {
			id := rng.Int32N(keys)
			key := schemas.NewStruct(upsertKey).MustPut("id", id)
			if rng.IntN(4) == 0 {
				recs = append(recs, record{keySchema: upsertKey, key: key})
				delete(want, id)
				continue
			}
			st := itemState{name: fmt.Sprintf("name %d of %d", i, id), qty: int64(i)*1_000_003 - 7}
			want[id] = st
			recs = append(recs, record{keySchema: upsertKey, key: key, valueSchema: upsertValue,
				value: schemas.NewStruct(upsertValue).MustPut("name", st.name).MustPut("qty", st.qty)})
		}
		ap.send(recs...)
		produced = to
	}
	conn := e.avroConverters(e.connection(map[string]string{
		"name": name, "connector.class": jdbcSinkClass, "tasks.max": "1", "topics": topic,
		"table.name.format": "items", "auto.create": "true", "insert.mode": "upsert",
		"pk.mode": "record_key", "pk.fields": "id", "delete.enabled": "true", "batch.size": "500",
	}))
	produce(chunk)
	jw := e.newWorker("sink")
	w := jw.start("sink", conn)
	eventually(t, 30*time.Second, "a committed sink offset", func() (bool, string) {
		if produced < total/2 {
			produce(produced + chunk)
		}
		c := e.groupCommitted(name, topic)
		return c > 0 && produced >= total/2, fmt.Sprintf("committed %d, produced %d", c, produced)
	}, w)
	w.Kill9()
	killedAt := e.groupCommitted(name, topic)
	produce(total)

	w = jw.start("sink-restarted", conn)
	eventually(t, 45*time.Second, "every record committed after the restart", func() (bool, string) {
		c := e.groupCommitted(name, topic)
		return c == total, fmt.Sprintf("committed %d of %d", c, total)
	}, w)
	w.Term()

	rows := e.queryText("SELECT id, name, qty FROM items ORDER BY id")
	ids := make([]int32, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var wrong int
	for i, id := range ids {
		st := want[id]
		w := fmt.Sprintf(`("%d", %q, "%d")`, id, st.name, st.qty)
		if i >= len(rows) || textRow(rows[i]) != w {
			if wrong++; wrong <= 10 {
				got := "nothing"
				if i < len(rows) {
					got = textRow(rows[i])
				}
				t.Errorf("row %d: %s, want %s", i, got, w)
			}
		}
	}
	if len(rows) != len(ids) {
		t.Errorf("%d rows in the table, want %d", len(rows), len(ids))
	}
	t.Logf("%d records over %d keys, %d rows left; %d committed at the kill", total, keys, len(ids), killedAt)
}

// TestJDBCSinkAutoEvolve: a producer adds an optional field to the value
// schema mid-stream (Avro, through the registry) and later goes back to the
// old schema; with auto.evolve the sink adds a nullable column for it and
// loses no record: the rows written with the new schema carry the field,
// the others NULL.
func TestJDBCSinkAutoEvolve(t *testing.T) {
	e := newJDBCEnv(t)
	topic := testkit.NewTopic(t, e.bootstrap, 1)
	v1 := schemas.NewBuilder(schemas.TypeStruct).Name("sluice.e2e.Evolving").
		Field("id", schemas.Int32Schema).Field("name", schemas.StringSchema).MustBuild()
	v2 := schemas.NewBuilder(schemas.TypeStruct).Name("sluice.e2e.Evolving").
		Field("id", schemas.Int32Schema).Field("name", schemas.StringSchema).Field("extra", schemas.OptionalStringSchema).MustBuild()
	ap := e.newAvroProducer(topic)
	send := func(from, to int, s *schemas.Schema) {
		var recs []record
		for i := from; i <= to; i++ {
			v := schemas.NewStruct(s).MustPut("id", int32(i)).MustPut("name", fmt.Sprintf("n%d", i))
			if s == v2 {
				v.MustPut("extra", fmt.Sprintf("x%d", i))
			}
			recs = append(recs, record{valueSchema: s, value: v})
		}
		ap.send(recs...)
	}
	jw := e.newWorker("sink")
	w := jw.start("sink", e.avroConverters(e.connection(map[string]string{
		"name": unique("evolve_sink"), "connector.class": jdbcSinkClass, "tasks.max": "1", "topics": topic,
		"table.name.format": "evolving", "auto.create": "true", "auto.evolve": "true",
		"insert.mode": "insert", "pk.mode": "record_value", "pk.fields": "id",
	})))
	send(1, 200, v1)
	eventually(t, 30*time.Second, "the first 200 rows", func() (bool, string) {
		n := e.count("SELECT COUNT(*) FROM evolving")
		return n == 200, fmt.Sprintf("%d rows", n)
	}, w)
	send(201, 400, v2)
	send(401, 500, v1)
	eventually(t, 30*time.Second, "500 rows", func() (bool, string) {
		n := e.count("SELECT COUNT(*) FROM evolving")
		return n == 500, fmt.Sprintf("%d rows", n)
	}, w)
	col := e.queryText("SELECT IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'evolving' AND COLUMN_NAME = 'extra'", e.db.Name)
	if len(col) != 1 || *col[0][0] != "YES" {
		t.Fatalf("the table has no nullable column extra: %v", col)
	}
	rows := e.queryText("SELECT id, name, extra FROM evolving ORDER BY id")
	for i, r := range rows {
		id := i + 1
		want := fmt.Sprintf(`("%d", "n%d", NULL)`, id, id)
		if id > 200 && id <= 400 {
			want = fmt.Sprintf(`("%d", "n%d", "x%d")`, id, id, id)
		}
		if textRow(r) != want {
			t.Fatalf("row %d is %s, want %s", i, textRow(r), want)
		}
	}
}
