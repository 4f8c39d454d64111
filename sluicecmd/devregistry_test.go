package sluicecmd

import (
	"path/filepath"
	"testing"

	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/schemas/avro"
)

// The embedded registry of sluice dev keeps its schemas across restarts, so
// records the embedded broker kept can still be read.
func TestDevRegistrySurvivesRestart(t *testing.T) {
	journal := filepath.Join(t.TempDir(), "schemas.jsonl")
	reg, err := startDevRegistry("127.0.0.1:0", journal)
	if err != nil {
		t.Fatal(err)
	}
	conv := func(url string) *avro.Converter {
		c := avro.New()
		if err := c.Configure(map[string]string{avro.SchemaRegistryURLConfig: url}, false); err != nil {
			t.Fatal(err)
		}
		return c
	}
	s1 := schemas.NewBuilder(schemas.TypeStruct).Name("dev.R").Field("a", schemas.Int32Schema).MustBuild()
	s2 := schemas.NewBuilder(schemas.TypeStruct).Name("dev.R").Field("a", schemas.Int32Schema).Field("b", schemas.OptionalStringSchema).MustBuild()
	w := conv(reg.URL())
	d1, err := w.FromConnectData("t", s1, schemas.NewStruct(s1).MustPut("a", int32(1)))
	if err != nil {
		t.Fatal(err)
	}
	d2, err := w.FromConnectData("t", s2, schemas.NewStruct(s2).MustPut("a", int32(2)).MustPut("b", "x"))
	if err != nil {
		t.Fatal(err)
	}
	reg.Close()

	reg, err = startDevRegistry("127.0.0.1:0", journal)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	r := conv(reg.URL())
	for _, tc := range []struct {
		data []byte
		want *schemas.Schema
	}{{d1, s1}, {d2, s2}} {
		s, v, err := r.ToConnectData("t", tc.data)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Fields) != len(tc.want.Fields) || v.(*schemas.Struct).Get("a") == nil {
			t.Errorf("read back %v %v", s, v)
		}
	}
	// Registering the same schema again adds nothing.
	if _, err := conv(reg.URL()).FromConnectData("t", s1, schemas.NewStruct(s1).MustPut("a", int32(3))); err != nil {
		t.Fatal(err)
	}
}
