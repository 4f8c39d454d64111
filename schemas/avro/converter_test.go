package avro

import (
	"encoding/binary"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/sluicehq/sluice/connerr"
	"github.com/sluicehq/sluice/schemas"
)

// fakeRegistry starts franz-go's in-process registry for fast tests; the
// same behaviour is checked against the real registry in registry_test.go.
func fakeRegistry(t testing.TB) *srfake.Registry {
	t.Helper()
	reg := srfake.New()
	t.Cleanup(reg.Close)
	return reg
}

func newConverter(t testing.TB, url string, isKey bool, extra ...string) *Converter {
	t.Helper()
	props := map[string]string{SchemaRegistryURLConfig: url, RetriesWaitConfig: "1", RetriesMaxWaitConfig: "5"}
	for i := 0; i+1 < len(extra); i += 2 {
		props[extra[i]] = extra[i+1]
	}
	c := New()
	if err := c.Configure(props, isKey); err != nil {
		t.Fatal(err)
	}
	return c
}

// allTypes is a struct with a field of every Connect type and logical type,
// required and optional, with defaults, nested structs, arrays and maps.
func allTypes(t testing.TB) (*schemas.Schema, *schemas.Struct) {
	inner := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Point").
		Field("x", schemas.Int32Schema).Field("y", schemas.OptionalFloat64Schema).MustBuild()
	s := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.All").Version(3).Doc("every type").
		Field("i8", schemas.Int8Schema).
		Field("i16", schemas.Int16Schema).
		Field("i32", schemas.Int32Schema).
		Field("i64", schemas.Int64Schema).
		Field("f32", schemas.Float32Schema).
		Field("f64", schemas.Float64Schema).
		Field("bool", schemas.BooleanSchema).
		Field("str", schemas.StringSchema).
		Field("bytes", schemas.BytesSchema).
		Field("opt_i8", schemas.OptionalInt8Schema).
		Field("opt_str", schemas.OptionalStringSchema).
		Field("opt_bytes", schemas.OptionalBytesSchema).
		Field("def_str", schemas.NewBuilder(schemas.TypeString).Default("dflt").MustBuild()).
		Field("opt_def_i64", schemas.NewBuilder(schemas.TypeInt64).Optional().Default(int64(42)).MustBuild()).
		Field("dec", schemas.DecimalBuilder(2).MustBuild()).
		Field("dec_neg", schemas.DecimalBuilder(4).Parameter(ParamDecimalPrecision, "10").MustBuild()).
		Field("opt_dec", schemas.DecimalBuilder(0).Optional().MustBuild()).
		Field("date", schemas.DateBuilder().MustBuild()).
		Field("time", schemas.TimeBuilder().MustBuild()).
		Field("ts", schemas.TimestampBuilder().MustBuild()).
		Field("opt_ts", schemas.TimestampBuilder().Optional().MustBuild()).
		Field("arr", schemas.Array(schemas.StringSchema).MustBuild()).
		Field("arr_opt", schemas.Array(schemas.OptionalInt64Schema).Optional().MustBuild()).
		Field("map_str", schemas.Map(schemas.StringSchema, schemas.Int32Schema).MustBuild()).
		Field("map_int", schemas.Map(schemas.Int32Schema, schemas.StringSchema).MustBuild()).
		Field("point", inner).
		Field("opt_point", schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Point").
			Field("x", schemas.Int32Schema).Field("y", schemas.OptionalFloat64Schema).Optional().MustBuild()).
		Field("points", schemas.Array(inner).MustBuild()).
		MustBuild()
	p := func(x int32) *schemas.Struct {
		return schemas.NewStruct(inner).MustPut("x", x).MustPut("y", float64(x)/2)
	}
	v := schemas.NewStruct(s).
		MustPut("i8", int8(-8)).MustPut("i16", int16(-1600)).MustPut("i32", int32(1<<30)).MustPut("i64", int64(-1)<<60).
		MustPut("f32", float32(1.5)).MustPut("f64", 2.25).MustPut("bool", true).MustPut("str", "héllo ✓").
		MustPut("bytes", []byte{0, 1, 0xff}).MustPut("opt_str", "present").
		MustPut("dec", big.NewRat(-31415, 100)).MustPut("dec_neg", big.NewRat(-1, 10000)).
		MustPut("date", time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)).
		MustPut("time", time.Date(1970, 1, 1, 23, 59, 59, 999e6, time.UTC)).
		MustPut("ts", time.Date(2026, 11, 22, 10, 11, 12, 13e6, time.UTC)).
		MustPut("arr", []any{"a", "", "c"}).MustPut("arr_opt", []any{int64(1), nil, int64(3)}).
		MustPut("map_str", map[string]any{"one": int32(1), "two": int32(2)}).
		MustPut("map_int", map[any]any{int32(1): "one", int32(-2): "minus two"}).
		MustPut("point", p(1)).MustPut("points", []any{p(2), p(3)})
	return s, v
}

func roundTrip(t *testing.T, url string) {
	s, v := allTypes(t)
	topic := "rt-" + strings.ReplaceAll(t.Name(), "/", "-")
	w := newConverter(t, url, false)
	data, err := w.FromConnectData(topic, s, v)
	if err != nil {
		t.Fatal(err)
	}
	if data[0] != 0 {
		t.Fatalf("magic byte %x", data[0])
	}
	r := newConverter(t, url, false) // a fresh converter: nothing cached
	gotSchema, got, err := r.ToConnectData(topic, data)
	if err != nil {
		t.Fatal(err)
	}
	if !gotSchema.Equal(s) {
		t.Fatalf("schema differs:\n got %v %+v\nwant %v %+v", gotSchema, gotSchema, s, s)
	}
	gs := got.(*schemas.Struct)
	for _, f := range s.Fields {
		want := v.Get(f.Name)
		if !schemas.EqualValues(gs.Get(f.Name), want) {
			t.Errorf("field %s: got %#v, want %#v", f.Name, gs.Get(f.Name), want)
		}
	}
	// The schema read back writes the same bytes.
	again, err := r.FromConnectData(topic, gotSchema, got)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(data) {
		t.Fatalf("re-serialized bytes differ:\n%x\n%x", again, data)
	}
}

func TestRoundTripFake(t *testing.T) { roundTrip(t, fakeRegistry(t).URL()) }

func TestPrimitiveRoundTrips(t *testing.T) {
	url := fakeRegistry(t).URL()
	cases := []struct {
		schema *schemas.Schema
		value  any
	}{
		{schemas.Int8Schema, int8(-128)},
		{schemas.Int16Schema, int16(32767)},
		{schemas.Int32Schema, int32(-5)},
		{schemas.Int64Schema, int64(1) << 62},
		{schemas.Float32Schema, float32(-0.5)},
		{schemas.Float64Schema, 1e300},
		{schemas.BooleanSchema, false},
		{schemas.StringSchema, ""},
		{schemas.BytesSchema, []byte{}},
		{schemas.OptionalStringSchema, "x"},
		{schemas.DecimalSchema(3), big.NewRat(1, 1000)},
		{schemas.DateBuilder().MustBuild(), time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)},
		{schemas.TimeBuilder().MustBuild(), time.Date(1970, 1, 1, 12, 0, 0, 0, time.UTC)},
		{schemas.TimestampBuilder().MustBuild(), time.UnixMilli(-1).UTC()},
		{schemas.Array(schemas.Int32Schema).MustBuild(), []any{int32(1)}},
		{schemas.Map(schemas.StringSchema, schemas.BooleanSchema).MustBuild(), map[string]any{"k": true}},
		{nil, map[string]any{"schemaless": []any{int64(1), "two", 3.0, nil}}},
	}
	for i, tc := range cases {
		w, r := newConverter(t, url, i%2 == 0), newConverter(t, url, i%2 == 0)
		data, err := w.FromConnectData("prim", tc.schema, tc.value)
		if err != nil {
			t.Fatalf("%v: %v", tc.schema, err)
		}
		gs, got, err := r.ToConnectData("prim", data)
		if err != nil {
			t.Fatalf("%v: %v", tc.schema, err)
		}
		if tc.schema == nil {
			if gs != nil {
				t.Errorf("schemaless read back with schema %v", gs)
			}
			m := map[any]any{"schemaless": []any{int64(1), "two", 3.0, nil}}
			if !schemas.EqualValues(got, m) {
				t.Errorf("schemaless: got %#v", got)
			}
			continue
		}
		// As Confluent's converter, a schema without connect.version gets
		// its version under the subject from the registry.
		want := tc.schema
		if want.Version == nil && gs.Version != nil {
			cp := *want
			cp.Version = gs.Version
			want = &cp
		}
		if !gs.Equal(want) || (gs.Version == nil && !want.Optional) {
			t.Errorf("%v: schema read back as %+v", tc.schema, gs)
		}
		if !schemas.EqualValues(got, tc.value) {
			t.Errorf("%v: got %#v, want %#v", tc.schema, got, tc.value)
		}
	}
}

func TestWireFormat(t *testing.T) {
	reg := fakeRegistry(t)
	c := newConverter(t, reg.URL(), false)
	data, err := c.FromConnectData("wire", schemas.Int32Schema, int32(7))
	if err != nil {
		t.Fatal(err)
	}
	id := binary.BigEndian.Uint32(data[1:5])
	ss, ok := reg.GetSchema("wire-value", 1)
	if !ok || uint32(ss.ID) != id {
		t.Fatalf("subject wire-value holds %+v, record has id %d", ss, id)
	}
	if ss.Schema.Schema != `"int"` {
		t.Errorf("registered %q", ss.Schema.Schema)
	}
	// zigzag(7) = 14
	if got := data[5:]; len(got) != 1 || got[0] != 14 {
		t.Errorf("body %x", got)
	}
	// Tombstones pass through.
	if data, err := c.FromConnectData("wire", schemas.OptionalInt32Schema, nil); err != nil || data != nil {
		t.Errorf("tombstone: %x %v", data, err)
	}
	if s, v, err := c.ToConnectData("wire", nil); err != nil || s != nil || v != nil {
		t.Errorf("null: %v %v %v", s, v, err)
	}
}

func TestBadInput(t *testing.T) {
	reg := fakeRegistry(t)
	c := newConverter(t, reg.URL(), false)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"magic", []byte{1, 0, 0, 0, 1, 2}, "Failed to deserialize data for topic bad to Avro: Unknown magic byte!"},
		{"short", []byte{0, 0}, "Unknown magic byte!"},
		{"unknown id", []byte{0, 0, 0, 0x30, 0x39, 2}, "Error retrieving Avro value schema for id 12345"},
	} {
		_, _, err := c.ToConnectData("bad", tc.data)
		var de *schemas.DataError
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &de) || connerr.IsRetriable(err) {
			t.Errorf("%s: got %v, want a DataError containing %q", tc.name, err, tc.want)
		}
	}
	// A body that does not match its schema.
	data, err := c.FromConnectData("bad", schemas.StringSchema, "abc")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.ToConnectData("bad", data[:len(data)-1])
	if err == nil || !strings.Contains(err.Error(), "cannot read Avro data") {
		t.Errorf("truncated body: %v", err)
	}
	// A value that does not fit its schema.
	if _, err := c.FromConnectData("bad", schemas.Int32Schema, "seven"); err == nil || !strings.Contains(err.Error(), "Invalid type for INT32: string") {
		t.Errorf("wrong type: %v", err)
	}
	// A registry that is down is retriable.
	down := fakeRegistry(t)
	url := down.URL()
	down.Close()
	c = newConverter(t, url, false, MaxRetriesConfig, "1")
	if _, err := c.FromConnectData("bad", schemas.Int32Schema, int32(1)); err == nil || !connerr.IsRetriable(err) || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("registry down: %v", err)
	}
	if _, _, err := c.ToConnectData("bad", []byte{0, 0, 0, 0, 1, 2}); err == nil || !connerr.IsRetriable(err) {
		t.Errorf("registry down: %v", err)
	}
}

// ignore.default.for.nullables: a null optional field with a default is written as its default
// by default (Confluent's AvroData reads it with Struct.get), as null with the key set.
func TestIgnoreDefaultForNullables(t *testing.T) {
	url := fakeRegistry(t).URL()
	s := schemas.NewBuilder(schemas.TypeStruct).Name("com.example.Row").
		Field("opt", schemas.NewBuilder(schemas.TypeInt32).Optional().Default(int32(5)).MustBuild()).
		Field("req", schemas.NewBuilder(schemas.TypeString).Default("basic").MustBuild()).
		MustBuild()
	for _, c := range []struct {
		ignore  string
		wantOpt any
	}{{"false", int32(5)}, {"true", nil}} {
		w := newConverter(t, url, false, IgnoreDefaultForNullables, c.ignore)
		r := newConverter(t, url, false)
		data, err := w.FromConnectData("nulls", s, schemas.NewStruct(s))
		if err != nil {
			t.Fatalf("ignore=%s: %v", c.ignore, err)
		}
		_, got, err := r.ToConnectData("nulls", data)
		if err != nil {
			t.Fatalf("ignore=%s: %v", c.ignore, err)
		}
		st := got.(*schemas.Struct)
		if v := st.GetWithoutDefault("opt"); !schemas.EqualValues(v, c.wantOpt) {
			t.Errorf("ignore=%s: opt read back as %v, want %v", c.ignore, v, c.wantOpt)
		}
		// A required field has no null to keep: its default is written either way.
		if v := st.GetWithoutDefault("req"); v != "basic" {
			t.Errorf("ignore=%s: req read back as %v, want basic", c.ignore, v)
		}
	}
	bad := New()
	if err := bad.Configure(map[string]string{SchemaRegistryURLConfig: url, IgnoreDefaultForNullables: "maybe"}, false); err == nil || !strings.Contains(err.Error(), IgnoreDefaultForNullables) {
		t.Errorf("ignore.default.for.nullables=maybe: %v, want an error naming the key", err)
	}
}
