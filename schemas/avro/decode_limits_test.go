package avro

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/sluicehq/sluice/schemas"
)

// nestedAnything is an Anything record of schemaless arrays nested depth
// deep around a null.
func nestedAnything(depth int) []byte {
	var b []byte
	for range depth {
		b = append(b, 0, 0, 0, 0, 0, 0, 0, 2, 2) // 7 null branches, the array branch, one item
	}
	b = append(b, make([]byte, 9)...) // the null inside
	for range depth {
		b = append(b, 0, 0) // end of the array, null map branch
	}
	return b
}

// TestDecodeBoundsCountsAndNesting: a block count of items that take no
// bytes cannot make the decoder loop and allocate for 2^62 items (a record
// holds at most maxFreeItems of them, however they are split in blocks,
// so a record that reads also reads once written again), items that take
// bytes are bounded by the record, and schemaless nesting is bounded as
// JSON's is; all are data errors, and honest records at the limits read.
func TestDecodeBoundsCountsAndNesting(t *testing.T) {
	reg := fakeRegistry(t)
	reg.SeedSchema("empties", 1, 500, sr.Schema{Schema: `{"type":"array","items":{"type":"record","name":"E","fields":[]}}`, Type: sr.TypeAvro})
	reg.SeedSchema("zero-fixed", 1, 501, sr.Schema{Schema: `{"type":"map","values":{"type":"array","items":{"type":"fixed","name":"Z","size":0}}}`, Type: sr.TypeAvro})
	reg.SeedSchema("pairs", 1, 502, sr.Schema{Schema: `{"type":"array","items":{"type":"record","name":"P","fields":[{"name":"a","type":{"type":"record","name":"E","fields":[]}},{"name":"b","type":"E"}]}}`, Type: sr.TypeAvro})
	reg.SeedSchema("bytes", 1, 503, sr.Schema{Schema: `{"type":"array","items":{"type":"record","name":"B","fields":[{"name":"e","type":{"type":"record","name":"E","fields":[]}},{"name":"b","type":"boolean"}]}}`, Type: sr.TypeAvro})
	c := newConverter(t, reg.URL(), false)
	w := newConverter(t, reg.URL(), false)
	anything, err := w.FromConnectData("any", nil, []any{nil})
	if err != nil {
		t.Fatal(err)
	}
	anyID := binary.BigEndian.Uint32(anything[1:5])
	zigzag := func(n int64) []byte { return binary.AppendVarint(nil, n) }
	for _, tc := range []struct {
		name  string
		id    uint32
		body  []byte
		items int    // of the value read, when no error
		err   string // else the error holds this
	}{
		{"three empty records", 500, []byte{6, 0}, 3, ""},
		{"as many as allowed", 500, append(zigzag(maxFreeItems), 0), maxFreeItems, ""},
		{"in several blocks", 500, append(append(zigzag(maxFreeItems-1), zigzag(1)...), 0), maxFreeItems, ""},
		{"one more", 500, append(zigzag(maxFreeItems+1), 0), 0, "a block of 65537 items that take no bytes is more than the 65536 a record may hold"},
		{"2^62 empty records", 500, append(zigzag(1<<62), 0), 0, "a block of 4611686018427387904 items"},
		{"blocks that add up", 500, append(append(zigzag(maxFreeItems), zigzag(1)...), 0), 0, "a block of 1 items that take no bytes"},
		{"zero-size fixed in a map's arrays", 501, append(append([]byte{2, 2, 'k'}, zigzag(1<<40)...), 0, 0), 0, "a block of 1099511627776 items"},
		{"records of two empty records", 502, append(zigzag(1<<50), 0), 0, "a block of 1125899906842624 items"},
		{"records that hold a byte", 503, append(zigzag(1<<50), 2, 2), 0, "cannot read Avro data"}, // runs out of bytes at the third
		{"nested 1000 deep", anyID, nestedAnything(maxAnythingDepth), 1, ""},
		{"nested 1001 deep", anyID, nestedAnything(maxAnythingDepth + 1), 0, "schemaless arrays and maps nest more than 1000 deep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := append(binary.BigEndian.AppendUint32([]byte{0}, tc.id), tc.body...)
			_, v, err := c.ToConnectData("limits", data)
			if tc.err != "" {
				var de *schemas.DataError
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.As(err, &de) {
					t.Fatalf("got %v, want a data error with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := countItems(v); n != tc.items {
				t.Fatalf("read %d items, want %d", n, tc.items)
			}
		})
	}
}

// countItems counts the items of the outer collection.
func countItems(v any) int {
	switch x := v.(type) {
	case []any:
		return len(x)
	case map[string]any:
		return len(x)
	}
	return -1
}
