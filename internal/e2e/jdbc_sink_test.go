package e2e

import (
	"fmt"
	"math/rand/v2"
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
// pk.mode=record_key, auto.create) produced while the sink runs: first over
// keys 0-299 until the sink has committed them all, then over keys 300-599,
// during which the worker is killed with SIGKILL and restarted. After the
// kill only keys 300-599 are written, plus tombstones for some early keys,
// so every other early key's row is decided by its last record sent before
// the kill: a sink that loses records whose offsets it committed leaves
// them wrong. Once every record is committed the table equals the state the
// records describe, key by key, values and deletions.
func TestJDBCSinkUpsertDeletesKill9(t *testing.T) {
	const keys, total, chunk, lateDeletes = 300, 20_000, 1_000, 30
	e := newJDBCEnv(t)
	topic := testkit.NewTopic(t, e.bootstrap, 1)
	name := unique("upsert_sink")
	ap := e.newAvroProducer(topic)
	rng := rand.New(rand.NewPCG(15, 15))
	want := map[int32]itemState{}
	produced := 0
	// produce sends records up to offset to, over keys base..base+keys-1.
	produce := func(to int, base int32) {
		recs := make([]record, 0, to-produced)
		for i := produced; i < to; i++ {
			id := base + rng.Int32N(keys)
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
	// Phase 1: keys 0-299, all committed before the kill. Phase 2: keys
	// 300-599 only, killed mid-stream.
	produce(chunk, 0)
	jw := e.newWorker("sink")
	w := jw.start("sink", conn)
	eventually(t, 60*time.Second, "every early-key record committed", func() (bool, string) {
		if produced < total/2 {
			produce(produced+chunk, 0)
		}
		c := e.groupCommitted(name, topic)
		return c == total/2, fmt.Sprintf("committed %d, produced %d", c, produced)
	}, w)
	liveEarly := 0
	for id := range int32(keys) {
		if _, ok := want[id]; ok {
			liveEarly++
		}
	}
	eventually(t, 30*time.Second, "a committed offset past the early keys", func() (bool, string) {
		if produced < 3*total/4 {
			produce(produced+chunk/2, keys)
		}
		c := e.groupCommitted(name, topic)
		return c > total/2, fmt.Sprintf("committed %d, produced %d", c, produced)
	}, w)
	w.Kill9()
	killedAt := e.groupCommitted(name, topic)
	beforeKill := produced
	// Tombstones for some early keys (alive or not), then keys 300-599 only.
	var tombs []record
	for id := range int32(lateDeletes) {
		id *= keys / lateDeletes
		tombs = append(tombs, record{keySchema: upsertKey, key: schemas.NewStruct(upsertKey).MustPut("id", id)})
		delete(want, id)
	}
	ap.send(tombs...)
	produced += len(tombs)
	produce(total, keys)

	w = jw.start("sink-restarted", conn)
	eventually(t, 45*time.Second, "every record committed after the restart", func() (bool, string) {
		c := e.groupCommitted(name, topic)
		return c == total, fmt.Sprintf("committed %d of %d", c, total)
	}, w)
	w.Term()

	got := map[int32]string{}
	for _, r := range e.queryText("SELECT id, name, qty FROM items") {
		var id int32
		if _, err := fmt.Sscan(*r[0], &id); err != nil {
			t.Fatalf("row %s: id: %v", textRow(r), err)
		}
		got[id] = textRow(r)
	}
	var wrong int
	for id := range int32(2 * keys) {
		exp := "no row"
		if st, ok := want[id]; ok {
			exp = fmt.Sprintf(`("%d", %q, "%d")`, id, st.name, st.qty)
		}
		g, ok := got[id]
		if !ok {
			g = "no row"
		}
		delete(got, id)
		if g != exp {
			if wrong++; wrong <= 10 {
				t.Errorf("key %d: %s, want %s", id, g, exp)
			}
		}
	}
	if wrong > 10 {
		t.Errorf("%d keys wrong in all", wrong)
	}
	for id, g := range got {
		t.Errorf("key %d: %s, a key no record wrote", id, g)
	}
	t.Logf("%d records (%d before the kill, %d committed at it), %d early keys alive at the kill, %d rows left",
		total, beforeKill, killedAt, liveEarly, len(want))
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
