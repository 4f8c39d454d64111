package storage

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestOffsetStores(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	stores := map[string]func(t *testing.T) OffsetStore{
		"memory": func(*testing.T) OffsetStore { return NewMemoryOffsets() },
		"file": func(t *testing.T) OffsetStore {
			f, err := OpenFileOffsets(filepath.Join(dir, t.Name()+".json"))
			if err != nil {
				t.Fatal(err)
			}
			return f
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			p1 := map[string]any{"filename": "a.txt"}
			p2 := map[string]any{"db": "x", "table": "t"}
			err := s.Put(ctx, "c1", []Offset{{Partition: p1, Offset: map[string]any{"position": int64(30)}}, {Partition: p2, Offset: map[string]any{"lsn": "0/16"}}})
			if err != nil {
				t.Fatal(err)
			}
			// Equal content, other map: same partition.
			got, err := s.Get(ctx, "c1", map[string]any{"filename": "a.txt"})
			if err != nil || !reflect.DeepEqual(got, map[string]any{"position": int64(30)}) {
				t.Fatalf("Get = %v, %v", got, err)
			}
			if got, _ := s.Get(ctx, "c2", p1); got != nil {
				t.Fatalf("other connector sees %v", got)
			}
			if err := s.Put(ctx, "c1", []Offset{{Partition: p2, Offset: nil}}); err != nil {
				t.Fatal(err)
			}
			all, _ := s.Offsets(ctx, "c1")
			if len(all) != 1 || all[0].Partition["filename"] != "a.txt" {
				t.Fatalf("after removing p2: %v", all)
			}
			if err := s.Put(ctx, "c1", []Offset{{Partition: p1, Offset: map[string]any{"nested": map[string]any{}}}}); err == nil {
				t.Fatal("a non-primitive offset value was accepted")
			}
		})
	}
}

// TestFileOffsetsSurviveReopen checks that offsets written are read back
// after a restart with integers as int64, and that a failed write leaves the
// previous state.
func TestFileOffsetsSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "offsets.json")
	f, err := OpenFileOffsets(path)
	if err != nil {
		t.Fatal(err)
	}
	p := map[string]any{"filename": "in.txt"}
	if err := f.Put(ctx, "src", []Offset{{Partition: p, Offset: map[string]any{"position": int64(1) << 40, "ratio": 0.5}}}); err != nil {
		t.Fatal(err)
	}
	g, err := OpenFileOffsets(path)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := g.Get(ctx, "src", p)
	if !reflect.DeepEqual(got, map[string]any{"position": int64(1) << 40, "ratio": 0.5}) {
		t.Fatalf("reopened offset = %#v", got)
	}
	// Put a non-empty directory where the file was: the rename fails.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := g.Put(ctx, "src", []Offset{{Partition: p, Offset: map[string]any{"position": int64(7)}}}); err == nil {
		t.Fatal("write over a directory succeeded")
	}
	got, _ = g.Get(ctx, "src", p)
	if got["position"] != int64(1)<<40 {
		t.Fatalf("failed write changed the in-memory view: %v", got)
	}
}

func TestFileOffsetsRejectsCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "offsets.json")
	os.WriteFile(path, []byte(`{"version":1,"connectors":{`), 0o644)
	if _, err := OpenFileOffsets(path); err == nil {
		t.Fatal("a torn offsets file was accepted")
	}
}
