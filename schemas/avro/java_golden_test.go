package avro

import (
	"math"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/internal/javafmt/javafmttest"
	"github.com/sluicehq/sluice/schemas"
)

// TestSchemaTextJavaOutput compares the Avro schema text sluice registers
// with what Java's Avro 1.12 Schema.toString writes for the same schema
// (the "avro" case of internal/javafmt/testdata/java_output.txt: real Java
// output, made by its JavaJSON.java). The doc holds control characters,
// DEL, U+2028/U+2029, '/', HTML characters and a non-BMP character (UTF-8
// here: Avro writes through Jackson's Writer-based generator); the
// defaults sit at the edges of Double.toString and Float.toString.
func TestSchemaTextJavaOutput(t *testing.T) {
	t.Parallel()
	golden := javafmttest.Golden(t, "avro")
	want := golden["record"]
	mixed := javafmttest.Strings()["mixed"]
	f64 := func(v float64) *schemas.Schema { return schemas.NewBuilder(schemas.TypeFloat64).Default(v).MustBuild() }
	f32 := func(v float32) *schemas.Schema { return schemas.NewBuilder(schemas.TypeFloat32).Default(v).MustBuild() }
	c := schemas.NewBuilder(schemas.TypeStruct).Name("ns.Rec").Doc(mixed+"<&>\u2029\x1f\b").
		Field("d", f64(5e-324)).
		Field("n", f64(0x1p-1022)). // Double.MIN_NORMAL
		Field("e", f64(1e7)).
		Field("m", f64(0.001)).
		Field("z", f64(math.Copysign(0, -1))).
		Field("f", f32(1.4e-45)).
		Field("g", f32(math.MaxFloat32)).
		Field("h", f32(0.1)).
		Field("t", f32(1e10)).
		MustBuild()
	ws, err := NewData(DataConfig{ConnectMetaData: true}).FromConnectSchema(c)
	if err != nil {
		t.Fatal(err)
	}
	if ws.JSON != want {
		t.Errorf("schema text:\n got  %s\n Java %s", ws.JSON, want)
	}
}

// TestSchemaTextJavaNonFinite: NaN and the infinities as defaults are the
// strings Jackson writes for them, as Avro 1.12's Schema.toString writes
// them (the "non_finite" case). The whole schema cannot be compared:
// hamba/avro refuses a string default for a double, so FromConnectSchema
// fails on such a schema before and after this writer; the values are.
func TestSchemaTextJavaNonFinite(t *testing.T) {
	t.Parallel()
	java := javafmttest.Golden(t, "avro")["non_finite"]
	for name, v := range map[string]float64{"nan": math.NaN(), "inf": math.Inf(1), "neg_inf": math.Inf(-1)} {
		text := string(appendJSON(nil, javaFloat{v, 64}))
		field := `{"name":"` + name + `","type":{"type":"double","connect.default":` + text + `},"default":` + text + `}`
		if !strings.Contains(java, field) {
			t.Errorf("%s: %s is not in Java's %s", name, field, java)
		}
	}
}
