package datagen

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// offsets is an in-memory offset store keyed by the partition's JSON.
type offsets map[string]map[string]any

func (o offsets) Offset(_ context.Context, p map[string]any) (map[string]any, error) {
	b, _ := json.Marshal(p)
	return o[string(b)], nil
}

// commit stores the offset of rec as an offset store round trip would:
// integers come back as int64.
func (o offsets) commit(rec connectors.SourceRecord) {
	b, _ := json.Marshal(rec.SourcePartition)
	off := map[string]any{}
	for k, v := range rec.SourceOffset {
		n, _ := toInt64(v)
		off[k] = n
	}
	o[string(b)] = off
}

type taskContext struct{ o offsets }

func (c taskContext) Offsets() connectors.OffsetReader { return c.o }

// startTask starts task id of a connector with props, reading offs.
func startTask(t testing.TB, props map[string]string, id int, offs offsets) *task {
	t.Helper()
	c := New()
	if err := c.Start(context.Background(), nil, props); err != nil {
		t.Fatal(err)
	}
	cfgs, err := c.TaskConfigs(id + 1)
	if err != nil || len(cfgs) != id+1 || cfgs[id][TaskIDKey] != itoa(id) {
		t.Fatalf("task configs %v, %v", cfgs, err)
	}
	tk := c.NewTask().(*task)
	tk.pause = func() time.Duration { return 0 }
	if err := tk.Start(context.Background(), taskContext{offs}, cfgs[id]); err != nil {
		t.Fatal(err)
	}
	return tk
}

func itoa(i int) string { return strconv.Itoa(i) }

// poll polls until n records came and commits the offsets of the first n
// (the task is dropped after, so the rest of a batch is as good as lost).
func poll(t *testing.T, tk *task, n int, offs offsets) []connectors.SourceRecord {
	t.Helper()
	var out []connectors.SourceRecord
	for len(out) < n {
		recs, err := tk.Poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, recs...)
	}
	out = out[:n]
	for _, r := range out {
		if offs != nil {
			offs.commit(r)
		}
	}
	return out
}

func base(extra ...string) map[string]string {
	p := map[string]string{"kafka.topic": "t", "max.interval": "0"}
	for i := 0; i+1 < len(extra); i += 2 {
		p[extra[i]] = extra[i+1]
	}
	return p
}

// TestQuickstarts: every quickstart generates records avro.Marshal accepts,
// that convert to Connect data with a key of the quickstart's key field,
// the same records for the same seed.
func TestQuickstarts(t *testing.T) {
	if len(quickstarts) != 38 {
		t.Fatalf("%d quickstarts, kafka-connect-datagen has 38", len(quickstarts))
	}
	files, _ := quickstartFiles.ReadDir("quickstarts")
	if len(files) != len(quickstarts) {
		t.Errorf("%d schema files for %d quickstarts", len(files), len(quickstarts))
	}
	for _, q := range quickstarts {
		t.Run(q.name, func(t *testing.T) {
			props := base("quickstart", q.name, "random.seed", "7")
			a := startTask(t, props, 0, offsets{})
			b := startTask(t, props, 0, offsets{})
			ra, rb := poll(t, a, 50, nil), poll(t, b, 50, nil)
			for i := range ra {
				if !reflect.DeepEqual(ra[i].Value, rb[i].Value) || !reflect.DeepEqual(ra[i].Key, rb[i].Key) {
					t.Fatalf("record %d differs with the same seed:\n%v\n%v", i, ra[i].Value, rb[i].Value)
				}
				s := ra[i].Value.(*schemas.Struct)
				if err := s.Validate(); err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				f, ok := ra[i].ValueSchema.Field(q.keyField)
				if !ok {
					t.Fatalf("no key field %s", q.keyField)
				}
				if !reflect.DeepEqual(ra[i].Key, s.Get(q.keyField)) || ra[i].KeySchema.Type != f.Schema.Type {
					t.Fatalf("key %v (%v), field %v (%v)", ra[i].Key, ra[i].KeySchema, s.Get(q.keyField), f.Schema)
				}
			}
			// The generator's own values are valid Avro.
			g, err := NewGenerator(a.st.schema, 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			for range 50 {
				v := g.Generate()
				if _, err := avro.Marshal(a.st.schema, v); err != nil {
					t.Fatalf("marshal %v: %v", v, err)
				}
			}
		})
	}
}

// TestUsers checks the users quickstart's records field by field.
func TestUsers(t *testing.T) {
	tk := startTask(t, base("quickstart", "USERS"), 0, offsets{})
	for i, r := range poll(t, tk, 200, nil) {
		s := r.Value.(*schemas.Struct)
		if r.ValueSchema.Name != "ksql.users" || len(r.ValueSchema.Fields) != 4 {
			t.Fatalf("schema %+v", r.ValueSchema)
		}
		ts := s.Get("registertime").(int64)
		uid := s.Get("userid").(string)
		if ts < 1487715775521 || ts >= 1519273364600 || len(uid) != 6 || !strings.HasPrefix(uid, "User_") ||
			!strings.HasPrefix(s.Get("regionid").(string), "Region_") || !strings.Contains("MALE FEMALE OTHER", s.Get("gender").(string)) {
			t.Fatalf("record %d: %v", i, s)
		}
		if r.Key != uid || r.KeySchema.Type != schemas.TypeString {
			t.Fatalf("key %v %v", r.Key, r.KeySchema)
		}
		if r.Topic != "t" || r.SourcePartition[TaskIDKey] != 0 {
			t.Fatalf("topic %s partition %v", r.Topic, r.SourcePartition)
		}
		h, _ := r.Headers.Last(CurrentIterationKey)
		if h.Value != int64(i) || h.Schema.Type != schemas.TypeInt64 {
			t.Fatalf("header %+v", h)
		}
	}
}

// TestNoKeyField: without a key field the key is null with an optional
// string schema; schema.keyfield picks another field, with its schema.
func TestNoKeyField(t *testing.T) {
	schema := `{"type":"record","name":"r","fields":[{"name":"n","type":{"type":"int","arg.properties":{"iteration":{"start":5}}}}]}`
	r := poll(t, startTask(t, base("schema.string", schema), 0, offsets{}), 1, nil)[0]
	if r.Key != nil || r.KeySchema != schemas.OptionalStringSchema {
		t.Fatalf("key %v %v", r.Key, r.KeySchema)
	}
	r = poll(t, startTask(t, base("schema.string", schema, "schema.keyfield", "n"), 0, offsets{}), 1, nil)[0]
	if r.Key != int32(5) || r.KeySchema.Type != schemas.TypeInt32 {
		t.Fatalf("key %#v %v", r.Key, r.KeySchema)
	}
	r = poll(t, startTask(t, base("quickstart", "pageviews", "schema.keyfield", "pageid"), 0, offsets{}), 1, nil)[0]
	if k, _ := r.Key.(string); !strings.HasPrefix(k, "Page_") {
		t.Fatalf("key %#v", r.Key)
	}
}

// TestResume: a task restarted from its committed offset continues its
// count, its iterations and, with a seed, its exact sequence; its
// generation goes up by one.
func TestResume(t *testing.T) {
	props := base("quickstart", "orders", "random.seed", "99")
	straight := poll(t, startTask(t, props, 0, offsets{}), 20, nil)

	offs := offsets{}
	first := poll(t, startTask(t, props, 0, offs), 12, offs)
	second := poll(t, startTask(t, props, 0, offs), 8, offs)
	got := append(first, second...)
	for i := range straight {
		if !reflect.DeepEqual(got[i].Value, straight[i].Value) {
			t.Fatalf("record %d after a restart:\n%v\nwant\n%v", i, got[i].Value, straight[i].Value)
		}
		if id := got[i].Value.(*schemas.Struct).Get("orderid"); id != int32(i) {
			t.Fatalf("record %d has orderid %v", i, id)
		}
		gen, _ := got[i].Headers.Last(TaskGenerationKey)
		if want := int64(min(i/12, 1)); gen.Value != want {
			t.Fatalf("record %d in generation %v, want %d", i, gen.Value, want)
		}
	}
	if off := second[7].SourceOffset; off[CurrentIterationKey] != int64(20) || off[TaskGenerationKey] != int64(2) {
		t.Fatalf("last offset %v", off)
	}
}

// TestTasksDiffer: tasks of one connector generate different records, each
// reproducibly; without random.seed two connectors differ.
func TestTasksDiffer(t *testing.T) {
	props := base("quickstart", "users", "random.seed", "1")
	t0 := poll(t, startTask(t, props, 0, offsets{}), 20, nil)
	t1 := poll(t, startTask(t, props, 1, offsets{}), 20, nil)
	t1again := poll(t, startTask(t, props, 1, offsets{}), 20, nil)
	same, again := true, true
	for i := range t0 {
		same = same && reflect.DeepEqual(t0[i].Value, t1[i].Value)
		again = again && reflect.DeepEqual(t1[i].Value, t1again[i].Value)
	}
	if same || !again {
		t.Fatalf("tasks 0 and 1 same: %v; task 1 reproducible: %v", same, again)
	}
	if t1[0].SourcePartition[TaskIDKey] != 1 {
		t.Fatalf("partition %v", t1[0].SourcePartition)
	}
	u1 := poll(t, startTask(t, base("quickstart", "users"), 0, offsets{}), 20, nil)
	u2 := poll(t, startTask(t, base("quickstart", "users"), 0, offsets{}), 20, nil)
	differ := false
	for i := range u1 {
		differ = differ || !reflect.DeepEqual(u1[i].Value, u2[i].Value)
	}
	if !differ {
		t.Fatal("two unseeded connectors generated the same records")
	}
}

// TestIterations: a task stops after its iterations (counting those of
// earlier runs) and then polls nothing, staying up.
func TestIterations(t *testing.T) {
	offs := offsets{}
	props := base("quickstart", "stock_trades", "iterations", "7")
	tk := startTask(t, props, 0, offs)
	waits := 0
	tk.wait = func(context.Context, time.Duration) bool { waits++; return true }
	recs := poll(t, tk, 7, offs)
	for range 3 {
		if more, err := tk.Poll(context.Background()); err != nil || len(more) != 0 {
			t.Fatalf("poll after the iterations: %d records, %v", len(more), err)
		}
	}
	if waits != 3 {
		t.Errorf("%d idle waits, want 3", waits)
	}
	if len(recs) != 7 {
		t.Fatal(len(recs))
	}
	tk2 := startTask(t, props, 0, offs)
	tk2.wait = func(context.Context, time.Duration) bool { return true }
	if more, _ := tk2.Poll(context.Background()); len(more) != 0 {
		t.Fatalf("a restarted task generated %d more", len(more))
	}
}

// TestMaxInterval: with max.interval each poll waits a random pause below
// it and returns one record; cancelling the poll's context ends the wait at
// once.
func TestMaxInterval(t *testing.T) {
	tk := startTask(t, base("quickstart", "users", "max.interval", "60000"), 0, offsets{})
	tk.pause = func() time.Duration { return time.Minute }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		recs, err := tk.Poll(ctx)
		if err != nil || len(recs) != 0 {
			t.Errorf("cancelled poll: %d records, %v", len(recs), err)
		}
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Poll did not return after its context was cancelled")
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("slow")
	}
	// Pauses are drawn below max.interval, and a poll returns one record.
	c := New()
	if err := c.Start(context.Background(), nil, base("quickstart", "users", "max.interval", "30")); err != nil {
		t.Fatal(err)
	}
	cfgs, _ := c.TaskConfigs(1)
	real := c.NewTask().(*task)
	if err := real.Start(context.Background(), taskContext{offsets{}}, cfgs[0]); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if d := real.pause(); d < 0 || d >= 30*time.Millisecond {
			t.Fatalf("pause %v", d)
		}
	}
	if recs, err := real.Poll(context.Background()); err != nil || len(recs) != 1 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
}

func TestValidation(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.avsc")
	if err := os.WriteFile(good, []byte(`{"type":"record","name":"r","fields":[
		// Avro's Java parser allows comments, so sluice does too.
		{"name":"a","type":"string"} /* the only field */ ]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.avsc")
	if err := os.WriteFile(bad, []byte(`{"type":"record","name":"r","fields":[{"name":"a","type":{"type":"int","arg.properties":{"range":{"min":3,"max":1}}}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		props map[string]string
		want  map[string]string // key → an error it must have; nil for none
	}{
		{"quickstart", base("quickstart", "users"), nil},
		{"quickstart in capitals", base("quickstart", "Users"), nil},
		{"schema file", base("schema.filename", good, "schema.keyfield", "a"), nil},
		{"bundled schema file", base("schema.filename", "orders_schema.avro"), nil},
		{"schema string", base("schema.string", `{"type":"record","name":"r","fields":[{"name":"a","type":"int"}]}`), nil},
		{"no topic", map[string]string{"quickstart": "users"}, map[string]string{"kafka.topic": `Missing required configuration "kafka.topic" which has no default value.`}},
		{"no source", base(), map[string]string{
			"quickstart":    "Must set exactly one of schema.string, schema.filename, quickstart",
			"schema.string": "Must set exactly one of", "schema.filename": "Must set exactly one of"}},
		{"two sources", base("quickstart", "users", "schema.filename", good), map[string]string{
			"quickstart": "Must set exactly one of", "schema.filename": "Must set exactly one of"}},
		{"unknown quickstart", base("quickstart", "nope"), map[string]string{"quickstart": "quickstart must be one out of clickstream_codes,clickstream,"}},
		{"missing file", base("schema.filename", filepath.Join(dir, "none.avsc")), map[string]string{"schema.filename": "Unable to find the schema file"}},
		{"bad annotation", base("schema.filename", bad), map[string]string{"schema.filename": "field a: 'min' field must be strictly less than 'max'"}},
		{"bad schema", base("schema.string", `{"type":"record"`), map[string]string{"schema.string": "Unable to parse the provided schema"}},
		{"not a record", base("schema.string", `"string"`), map[string]string{"schema.string": "the schema must be a record"}},
		{"recursive", base("schema.string", `{"type":"record","name":"node","fields":[{"name":"next","type":["null","node"]}]}`),
			map[string]string{"schema.string": "the schema has no Connect equivalent"}},
		{"unknown key field", base("quickstart", "users", "schema.keyfield", "nope"), map[string]string{"schema.keyfield": "The schema does not contain the field provided in 'schema.keyfield'"}},
		{"bad interval", base("quickstart", "users", "max.interval", "soon"), map[string]string{"max.interval": "Not a number of type LONG"}},
		{"bad seed", base("quickstart", "users", "random.seed", "x"), map[string]string{"random.seed": "Invalid value x for configuration random.seed"}},
	}
	for _, tt := range tests {
		results := New().Validate(tt.props)
		got := map[string][]string{}
		for _, r := range results {
			if len(r.Errors) > 0 {
				got[r.Name] = r.Errors
			}
		}
		for k, want := range tt.want {
			if !strings.Contains(strings.Join(got[k], "\n"), want) {
				t.Errorf("%s: %s errors %q, want %q", tt.name, k, got[k], want)
			}
		}
		for k, errs := range got {
			if _, ok := tt.want[k]; !ok {
				t.Errorf("%s: unexpected errors on %s: %q", tt.name, k, errs)
			}
		}
		// Start refuses what Validate refuses, naming the key.
		err := New().Start(context.Background(), nil, tt.props)
		if (err != nil) != (tt.want != nil) {
			t.Errorf("%s: Start: %v", tt.name, err)
		}
	}
	// Validate returns a result for every key, in definition order.
	var names []string
	for _, r := range New().Validate(base("quickstart", "users")) {
		names = append(names, r.Name)
	}
	want := []string{"kafka.topic", "max.interval", "iterations", "schema.string", "schema.filename", "schema.keyfield", "quickstart", "random.seed"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("keys %v", names)
	}
}

func TestAlterOffsets(t *testing.T) {
	c := New()
	ok := []connectors.SourceOffset{
		{Partition: map[string]any{TaskIDKey: int64(0)}, Offset: map[string]any{CurrentIterationKey: int64(5), TaskGenerationKey: int64(1), RandomSeedField: int64(-3)}},
		{Partition: map[string]any{TaskIDKey: int64(1)}, Offset: map[string]any{CurrentIterationKey: int64(0)}},
		{Partition: map[string]any{TaskIDKey: int64(2)}},
	}
	if done, err := c.AlterOffsets(context.Background(), nil, ok); err != nil || !done {
		t.Fatalf("%v %v", done, err)
	}
	for _, bad := range []connectors.SourceOffset{
		{Partition: map[string]any{"file": "x"}},
		{Partition: map[string]any{TaskIDKey: int64(0)}, Offset: map[string]any{"position": int64(1)}},
		{Partition: map[string]any{TaskIDKey: int64(0)}, Offset: map[string]any{CurrentIterationKey: int64(-1)}},
		{Partition: map[string]any{TaskIDKey: int64(0)}, Offset: map[string]any{CurrentIterationKey: int64(1), RandomSeedField: "x"}},
	} {
		if _, err := c.AlterOffsets(context.Background(), nil, []connectors.SourceOffset{bad}); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestConfigDocs: the definition documents every key.
func TestConfigDocs(t *testing.T) {
	for _, k := range New().Config().Keys() {
		if k.Doc == "" {
			t.Errorf("%s has no doc", k.Name)
		}
	}
}

// BenchmarkPoll measures generating users records and converting them to
// Connect data, as a task does with no pause between records.
func BenchmarkPoll(b *testing.B) {
	for _, q := range []string{"users", "orders", "pizza_orders"} {
		b.Run(q, func(b *testing.B) {
			tk := startTask(b, base("quickstart", q, "random.seed", "1"), 0, offsets{})
			n := 0
			b.ResetTimer()
			for b.Loop() {
				if n == 0 {
					recs, err := tk.Poll(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					n = len(recs)
				}
				n--
			}
		})
	}
}

func (c taskContext) Logger() *slog.Logger { return slog.New(slog.DiscardHandler) }
