package storage

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// offsetTypeCases are offsets as a task stores them, with the types every
// offset store must hand back before and after a restart: integers as
// int64, floats as float64 (a float32 as the decimal it is written as),
// other JSON primitives as they are.
var offsetTypeCases = []struct {
	name string
	in   any
	want any
}{
	{"int", int(5), int64(5)},
	{"int8", int8(-8), int64(-8)},
	{"int16", int16(16), int64(16)},
	{"int32", int32(1 << 30), int64(1 << 30)},
	{"int64", int64(1) << 60, int64(1) << 60},
	{"uint", uint(7), int64(7)},
	{"uint8", uint8(255), int64(255)},
	{"uint16", uint16(65535), int64(65535)},
	{"uint32", uint32(1 << 31), int64(1 << 31)},
	{"uint64", uint64(math.MaxInt64), int64(math.MaxInt64)},
	{"float32", float32(0.1), 0.1},
	{"float64", 2.5, 2.5},
	{"integral float", 3.0, 3.0},
	{"large float", 1e20, 1e20},
	{"string", "0/16", "0/16"},
	{"bool", true, true},
	{"null", nil, nil},
}

func typedOffset() (in, want map[string]any) {
	in, want = map[string]any{}, map[string]any{}
	for _, c := range offsetTypeCases {
		in[c.name], want[c.name] = c.in, c.want
	}
	return in, want
}

// checkOffsetTypes stores a typed offset and partition through put, reads
// them back with get before and after reopen, and wants the same types.
func checkOffsetTypes(t *testing.T, ctx context.Context, open func(t *testing.T) OffsetStore) {
	t.Helper()
	in, want := typedOffset()
	partition := map[string]any{"shard": int32(3), "ratio": float32(0.5), "name": "a"}
	wantPartition := map[string]any{"shard": int64(3), "ratio": 0.5, "name": "a"}
	s := open(t)
	if err := s.Put(ctx, "typed", []Offset{{Partition: partition, Offset: in}}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	check := func(when string, s OffsetStore) {
		t.Helper()
		// The task looks its partition up with the map it stored.
		got, err := s.Get(ctx, "typed", partition)
		if err != nil {
			t.Fatalf("%s: Get: %v", when, err)
		}
		for k, w := range want {
			if g := got[k]; !reflect.DeepEqual(g, w) {
				t.Errorf("%s: offset[%q] = %#v (%T), want %#v (%T)", when, k, g, g, w, w)
			}
		}
		all, err := s.Offsets(ctx, "typed")
		if err != nil || len(all) != 1 {
			t.Fatalf("%s: Offsets = %#v, %v", when, all, err)
		}
		if !reflect.DeepEqual(all[0].Partition, wantPartition) {
			t.Errorf("%s: partition = %#v, want %#v", when, all[0].Partition, wantPartition)
		}
		if !reflect.DeepEqual(all[0].Offset, want) {
			t.Errorf("%s: Offsets()[0].Offset = %#v, want %#v", when, all[0].Offset, want)
		}
	}
	check("before restart", s)
	// The store must not keep the caller's map: changing it later changes
	// nothing stored.
	in["int"] = "changed"
	check("after the caller changed its map", s)
	check("after restart", open(t))
}

// TestOffsetTypesSurviveRestart is the regression test for offsets whose
// Go types changed across a restart (an int stored came back as an int
// until the worker restarted, then as an int64).
func TestOffsetTypesSurviveRestart(t *testing.T) {
	ctx := context.Background()
	t.Run("memory", func(t *testing.T) {
		m := NewMemoryOffsets()
		// A memory store does not survive a restart; "reopen" is the same
		// store, and the types must already be the restart's.
		checkOffsetTypes(t, ctx, func(*testing.T) OffsetStore { return m })
	})
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "offsets.json")
		checkOffsetTypes(t, ctx, func(t *testing.T) OffsetStore {
			f, err := OpenFileOffsets(path)
			if err != nil {
				t.Fatal(err)
			}
			return f
		})
	})
	t.Run("kafka", func(t *testing.T) {
		bootstrap := testkit.RealKafka(t)
		topic := testkit.NewTopic(t, bootstrap, 1)
		bctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		checkOffsetTypes(t, bctx, func(t *testing.T) OffsetStore {
			o, err := NewKafkaOffsets(kafkaOpener(bootstrap, topic), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = o.Close() })
			if err := o.Start(bctx); err != nil {
				t.Fatal(err)
			}
			return o
		})
	})
}

// TestOffsetValuesJSONCannotCarry checks that every store refuses, with an
// error naming the connector and the key, a value JSON cannot carry.
func TestOffsetValuesJSONCannotCarry(t *testing.T) {
	ctx := context.Background()
	type point struct{ X int }
	cases := []struct {
		name      string
		partition map[string]any
		offset    map[string]any
		want      string
	}{
		{"struct", map[string]any{"f": "a"}, map[string]any{"pos": point{1}}, "field pos"},
		{"NaN", map[string]any{"f": "a"}, map[string]any{"ratio": math.NaN()}, "field ratio"},
		{"infinity", map[string]any{"f": "a"}, map[string]any{"ratio": math.Inf(1)}, "field ratio"},
		{"float32 infinity", map[string]any{"f": "a"}, map[string]any{"r": float32(math.Inf(-1))}, "field r"},
		{"uint64 beyond int64", map[string]any{"f": "a"}, map[string]any{"big": uint64(math.MaxUint64)}, "field big"},
		{"nested map", map[string]any{"f": "a"}, map[string]any{"m": map[string]any{"x": 1}}, "field m"},
		{"list", map[string]any{"f": "a"}, map[string]any{"l": []any{1}}, "field l"},
		{"struct in partition", map[string]any{"p": point{1}}, map[string]any{"pos": 1}, "field p"},
	}
	path := filepath.Join(t.TempDir(), "offsets.json")
	f, err := OpenFileOffsets(path)
	if err != nil {
		t.Fatal(err)
	}
	stores := map[string]OffsetStore{"memory": NewMemoryOffsets(), "file": f, "kafka (in memory)": newMemOffsets(t, &simpleTopic{})}
	for name, s := range stores {
		for _, c := range cases {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				err := s.Put(ctx, "my-source", []Offset{{Partition: c.partition, Offset: c.offset}})
				if err == nil {
					t.Fatal("Put accepted it")
				}
				for _, w := range []string{"my-source", c.want} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %q", err, w)
					}
				}
				if got, _ := s.Offsets(ctx, "my-source"); len(got) != 0 {
					t.Errorf("stored %v", got)
				}
			})
		}
	}
}

// TestCheckSourceOffset: the per-record check takes exactly what the
// stores take.
func TestCheckSourceOffset(t *testing.T) {
	for _, c := range offsetTypeCases {
		if err := CheckSourceOffset(map[string]any{"k": c.in}); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	type point struct{ X int }
	for _, v := range []any{point{1}, math.NaN(), float32(math.Inf(1)), uint64(math.MaxUint64), uint(math.MaxUint64), map[string]any{}, []any{}} {
		err := CheckSourceOffset(map[string]any{"a": 1, "k": v})
		if err == nil || !strings.Contains(err.Error(), "field k") {
			t.Errorf("%#v: error %v, want one naming field k", v, err)
		}
	}
	common := map[string]any{"n": 5, "n64": int64(1) << 40, "s": "x", "f": 0.5, "b": true}
	if n := testing.AllocsPerRun(100, func() { _ = CheckSourceOffset(common) }); n != 0 {
		t.Errorf("%v allocations per check", n)
	}
}

// TestFileOffsetsReadsAnEarlierFile: an offsets file written before the
// offset stores refused integers beyond an int64 (encoding/json wrote a
// uint64 as its digits) still opens, and reads back as the Kafka store
// reads the same JSON from its topic, so that the worker starts.
func TestFileOffsetsReadsAnEarlierFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "offsets.json")
	const doc = `{"version":1,"connectors":{"src":[` +
		`{"partition":{"f":"a"},"offset":{"n":18446744073709551615}},` +
		`{"partition":{"f":"b","shard":18446744073709551615},"offset":{"n":3}}]}}`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := OpenFileOffsets(path)
	if err != nil {
		t.Fatalf("open an offsets file an earlier sluice wrote: %v", err)
	}
	ctx := context.Background()
	for _, c := range []struct{ partition, offset string }{
		{`{"f":"a"}`, `{"n":18446744073709551615}`},
		{`{"f":"b","shard":18446744073709551615}`, `{"n":3}`},
	} {
		p, err := decodeJSON([]byte(c.partition))
		if err != nil {
			t.Fatal(err)
		}
		want, err := decodeJSON([]byte(c.offset)) // as KafkaOffsets.apply reads it
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.Get(ctx, "src", p.(map[string]any))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("partition %s: offset %#v, want %#v", c.partition, got, want)
		}
	}
}

// TestPartitionKeyAllocations: the key of a partition whose values are
// already as a store keeps them costs no more than its JSON encoding (the
// runtime computes it for every record whose partition map is new).
func TestPartitionKeyAllocations(t *testing.T) {
	p := map[string]any{"filename": "/tmp/in.txt", "shard": 3, "n": int64(1) << 40, "f": 2.5, "ok": true, "none": nil}
	// The common partition maps take the path without a normalised copy.
	if !encodesAsStored(p) {
		t.Fatalf("%v takes the copying path", p)
	}
	if raceEnabled {
		// The race detector makes sync.Pool drop items at random, so
		// json.Marshal's allocations vary from run to run.
		t.Skip("allocation counts are not stable under -race; the path is checked above")
	}
	enc := testing.AllocsPerRun(100, func() {
		if _, err := json.Marshal(p); err != nil {
			t.Fatal(err)
		}
	})
	key := testing.AllocsPerRun(100, func() {
		if _, err := PartitionKey(p); err != nil {
			t.Fatal(err)
		}
	})
	if key > enc+1 { // +1: the string
		t.Fatalf("PartitionKey allocates %v times, its JSON encoding %v", key, enc)
	}
}
