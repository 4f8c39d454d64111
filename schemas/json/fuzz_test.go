package json_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// FuzzToConnectData reads arbitrary bytes with and without schemas.enable
// and in both decimal formats: a failure is a *schemas.DataError (never a
// panic), reading allocates a bounded multiple of the input, and what was
// read writes (FromConnectData) and reads back to an equal schema and
// value.
func FuzzToConnectData(f *testing.F) {
	for _, seed := range []string{
		`{"schema":{"type":"boolean"},"payload":true}`,
		`{"schema":{"type":"int8","optional":true,"default":3},"payload":null}`,
		`{"schema":{"type":"int64"},"payload":00000123456789}`,
		`{"schema":{"type":"float"},"payload":12.34}`,
		`{"schema":{"type":"double"},"payload":"NaN"}`,
		`{"schema":{"type":"bytes"},"payload":"dGVzdC1zdHJpbmc="}`,
		`{"schema":{"type":"array","items":{"type":"int32"}},"payload":[1,2,3]}`,
		`{"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}},"payload":{"key1":12,"key2":15}}`,
		`{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"string"}},"payload":[[1,"a"],[2,"b"]]}`,
		`{"schema":{"type":"struct","name":"s","version":2,"doc":"d","parameters":{"k":"v"},"fields":[{"field":"a","type":"string","optional":true},{"field":"b","type":"struct","fields":[{"field":"c","type":"int16"}]}]},"payload":{"a":"x","b":{"c":1}}}`,
		`{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AOk="}`,
		`{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":1.5e3}`,
		`{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}`,
		`{"schema":{"type":"int32","name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}`,
		`{"schema":{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":-62135596800000}`,
		`{"schema":null,"payload":{"a":[1,2.5,"x",null,true,{"b":[]}]}}`,
		`{"schema":{"type":"int64"},"payload":1e999999999}`,
		`{"schema":{"type":"int64"},"payload":1.0e2}`,
		`{"schema":{"type":"string"},"payload":"\ud83d\ude00 \u0000 \\"}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
		`-0.0e-0`,
		` `,
		`"unterminated`,
	} {
		for mode := range byte(3) {
			f.Add([]byte(seed), mode)
		}
	}
	converters := []map[string]string{
		nil,
		{"schemas.enable": "false"},
		{"decimal.format": "NUMERIC", "replace.null.with.default": "false"},
	}
	f.Fuzz(func(t *testing.T, data []byte, mode byte) {
		defer testkit.HangGuard(t, 20*time.Second)()
		c := newConverter(t, converters[int(mode)%len(converters)])
		before := testkit.HeapAllocated()
		schema, value, err := c.ToConnectData("fuzz", data)
		if grew := testkit.HeapAllocated() - before; grew > 1<<20+200*uint64(len(data)) {
			t.Fatalf("reading %d bytes allocated %d bytes", len(data), grew)
		}
		if err != nil {
			var de *schemas.DataError
			if !errors.As(err, &de) || err.Error() == "" {
				t.Fatalf("ToConnectData(%q): %v (%T), want a *schemas.DataError", data, err, err)
			}
			return
		}
		out, err := c.FromConnectData("fuzz", schema, value)
		if err != nil {
			t.Fatalf("ToConnectData(%q) = %v %#v, which FromConnectData refuses: %v", data, schema, value, err)
		}
		schema2, value2, err := c.ToConnectData("fuzz", out)
		if err != nil {
			t.Fatalf("%q was written as %q, which does not read: %v", data, out, err)
		}
		if !schema.Equal(schema2) || !schemas.EqualValues(value, value2) {
			t.Fatalf("%q read as %v %#v, written as %q, read back as %v %#v", data, schema, value, out, schema2, value2)
		}
		if strings.TrimSpace(string(data)) == "" && (schema != nil || value != nil) {
			t.Fatalf("blank input read as %v %#v, want a tombstone", schema, value)
		}
	})
}
