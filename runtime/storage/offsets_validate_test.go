package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/sluicehq/sluice/runtime/herder"
)

// decodeOffsets decodes a PATCH offsets body as the REST layer should:
// numbers as json.Number.
func decodeOffsets(t *testing.T, body string) []herder.PartitionOffset {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(body)))
	d.UseNumber()
	var req herder.ConnectorOffsets
	if err := d.Decode(&req); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return req.Offsets
}

func TestValidateSourceOffsets(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"valid", `{"offsets":[{"partition":{"filename":"a.txt","n":1,"f":1.5,"b":true,"z":null},"offset":{"position":30}}]}`, ""},
		{"offset null resets", `{"offsets":[{"partition":{"filename":"a.txt"},"offset":null}]}`, ""},
		{"offset missing resets", `{"offsets":[{"partition":{"filename":"a.txt"}}]}`, ""},
		{"empty maps", `{"offsets":[{"partition":{},"offset":{}}]}`, ""},
		{"tiny and large floats", `{"offsets":[{"partition":{"p":1e-300},"offset":{"x":1.7e308}}]}`, ""},
		{"no offsets", `{"offsets":[]}`, "Partitions / offsets need to be provided for an alter offsets request"},
		{"offsets null", `{"offsets":null}`, "Partitions / offsets need to be provided for an alter offsets request"},
		{"empty body", `{}`, "Partitions / offsets need to be provided for an alter offsets request"},
		{"partition null", `{"offsets":[{"partition":null,"offset":{"position":1}}]}`, "The partition for a source connector offset cannot be null or missing"},
		{"partition missing", `{"offsets":[{"offset":{"position":1}}]}`, "The partition for a source connector offset cannot be null or missing"},
		{"map in partition", `{"offsets":[{"partition":{"file":{"name":"a"}},"offset":{"position":1}}]}`, "Offsets may only contain primitive types as values, but field file contains MAP"},
		{"list in offset", `{"offsets":[{"partition":{"file":"a"},"offset":{"position":[1,2]}}]}`, "Offsets may only contain primitive types as values, but field position contains ARRAY"},
		{"beyond long", `{"offsets":[{"partition":{"file":"a"},"offset":{"position":123456789012345678901234567890}}]}`, "Offsets may only contain primitive types as values, but field position contains class java.math.BigInteger"},
		{"beyond double", `{"offsets":[{"partition":{"file":"a"},"offset":{"x":1e400}}]}`, "Offsets may only contain primitive types as values, but field x contains a number beyond the range of a double"},
		{"first bad field in key order", `{"offsets":[{"partition":{"file":"a"},"offset":{"z":[1],"a":{}}}]}`, "Offsets may only contain primitive types as values, but field a contains MAP"},
		{"second entry bad", `{"offsets":[{"partition":{"file":"a"},"offset":{"p":1}},{"partition":{"file":"b"},"offset":{"p":{}}}]}`, "Offsets may only contain primitive types as values, but field p contains MAP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateSourceOffsets(decodeOffsets(t, tc.body))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("ValidateSourceOffsets: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if code := herder.StatusCode(err); code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", code)
			}
		})
	}
}

// TestOffsetStoresKeepIntegersExact checks that altered offsets decoded as
// json.Number are stored as int64 (exact beyond 2^53), in memory as after a
// reopen of the file.
func TestOffsetStoresKeepIntegersExact(t *testing.T) {
	ctx := context.Background()
	offs := decodeOffsets(t, `{"offsets":[{"partition":{"file":"a","shard":7},"offset":{"position":9007199254740993,"ratio":0.5}}]}`)
	if err := ValidateSourceOffsets(offs); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"position": int64(9007199254740993), "ratio": 0.5}
	path := t.TempDir() + "/offsets.json"
	f, err := OpenFileOffsets(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]OffsetStore{"memory": NewMemoryOffsets(), "file": f} {
		if err := s.Put(ctx, "c", []Offset{{Partition: offs[0].Partition, Offset: offs[0].Offset}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "c", map[string]any{"file": "a", "shard": int64(7)})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Get = %#v, %v; want %#v", name, got, err, want)
		}
	}
	g, err := OpenFileOffsets(path)
	if err != nil {
		t.Fatal(err)
	}
	all, err := g.Offsets(ctx, "c")
	if err != nil || len(all) != 1 || !reflect.DeepEqual(all[0].Offset, want) || all[0].Partition["shard"] != int64(7) {
		t.Errorf("after reopen: %#v, %v", all, err)
	}
}
