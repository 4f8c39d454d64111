package datagen

import (
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
)

func parse(t *testing.T, schema string) avro.Schema {
	t.Helper()
	s, err := avro.ParseWithCache(schema, "", &avro.SchemaCache{})
	if err != nil {
		t.Fatalf("parse %s: %v", schema, err)
	}
	return s
}

// oneField wraps a field type into a one-field record schema.
func oneField(typ string) string {
	return `{"type":"record","name":"r","namespace":"t","fields":[{"name":"f","type":` + typ + `}]}`
}

// values generates n values of the single field of oneField(typ), checking
// that avro.Marshal accepts each record.
func values(t *testing.T, typ string, n int) []any {
	t.Helper()
	s := parse(t, oneField(typ))
	g, err := NewGenerator(s, 1, 0)
	if err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
	out := make([]any, n)
	for i := range out {
		rec := g.Generate().(map[string]any)
		if _, err := avro.Marshal(s, rec); err != nil {
			t.Fatalf("%s: marshal %#v: %v", typ, rec, err)
		}
		out[i] = rec["f"]
	}
	return out
}

func TestOptions(t *testing.T) {
	tests := []struct {
		typ  string
		want []any
	}{
		{`{"type":"string","arg.properties":{"options":["a","b","c"]}}`, []any{"a", "b", "c"}},
		{`{"type":"int","arg.properties":{"options":[1,-2]}}`, []any{1, -2}},
		{`{"type":"long","arg.properties":{"options":[4242424242424242]}}`, []any{int64(4242424242424242)}},
		{`{"type":"float","arg.properties":{"options":[42.42]}}`, []any{float32(42.42)}},
		{`{"type":"double","arg.properties":{"options":[0.5,2]}}`, []any{0.5, 2.0}},
		{`{"type":"boolean","arg.properties":{"options":[true]}}`, []any{true}},
		{`{"type":"bytes","arg.properties":{"options":["NDI="]}}`, []any{[]byte("NDI=")}},
		{`{"type":"enum","name":"E","symbols":["A","B","C"],"arg.properties":{"options":["A","C"]}}`, []any{"A", "C"}},
		{`{"type":"fixed","name":"F","size":2,"arg.properties":{"options":["42","EE"]}}`, []any{[2]byte{'4', '2'}, [2]byte{'E', 'E'}}},
		{`{"type":"array","items":"string","arg.properties":{"options":[["Hello","world"],["Bye"]]}}`, []any{[]any{"Hello", "world"}, []any{"Bye"}}},
		{`{"type":"map","values":"int","arg.properties":{"options":[{"zero":0},{"one":1,"two":2}]}}`, []any{map[string]any{"zero": 0}, map[string]any{"one": 1, "two": 2}}},
		{`{"type":"record","name":"R","fields":[{"name":"month","type":"string"},{"name":"day","type":"int","default":1}],"arg.properties":{"options":[{"month":"January","day":2},{"month":"NANuary"}]}}`,
			[]any{map[string]any{"month": "January", "day": 2}, map[string]any{"month": "NANuary", "day": 1}}},
		{`{"type":"long","logicalType":"timestamp-millis","arg.properties":{"options":[1609459200000]}}`, []any{time.UnixMilli(1609459200000).UTC()}},
	}
	for _, tt := range tests {
		got := values(t, tt.typ, 200)
		seen := make([]bool, len(tt.want))
		for _, v := range got {
			i := indexOf(tt.want, v)
			if i < 0 {
				t.Fatalf("%s: %#v is not an option", tt.typ, v)
			}
			seen[i] = true
		}
		for i, ok := range seen {
			if !ok {
				t.Errorf("%s: option %#v never chosen", tt.typ, tt.want[i])
			}
		}
	}
}

func indexOf(l []any, v any) int {
	for i, e := range l {
		if reflect.DeepEqual(e, v) {
			return i
		}
	}
	return -1
}

func TestRange(t *testing.T) {
	within := func(typ string, lo, hi float64) {
		t.Helper()
		var min, max float64 = hi, lo
		for _, v := range values(t, typ, 2000) {
			f, _ := toFloat(v)
			if f < lo || f >= hi {
				t.Fatalf("%s: %v outside [%v, %v)", typ, v, lo, hi)
			}
			min, max = minF(min, f), maxF(max, f)
		}
		if (max-min)/(hi-lo) < 0.9 {
			t.Errorf("%s: values span only [%v, %v] of [%v, %v)", typ, min, max, lo, hi)
		}
	}
	within(`{"type":"int","arg.properties":{"range":{"min":-5,"max":5}}}`, -5, 5)
	within(`{"type":"long","arg.properties":{"range":{"min":1487715775521,"max":1519273364600}}}`, 1487715775521, 1519273364600)
	within(`{"type":"double","arg.properties":{"range":{"min":0.1,"max":10.0}}}`, 0.1, 10)
	within(`{"type":"float","arg.properties":{"range":{"min":-1,"max":1}}}`, -1, 1)
	// Only one bound: the type's limit is the other.
	for _, v := range values(t, `{"type":"int","arg.properties":{"range":{"min":2147483640}}}`, 100) {
		if v.(int) < 2147483640 {
			t.Fatalf("%v below min", v)
		}
	}
	for _, v := range values(t, `{"type":"long","arg.properties":{"range":{"max":-9223372036854774784}}}`, 100) {
		if v.(int64) >= -9223372036854774784 {
			t.Fatalf("%v not below max", v)
		}
	}
	// No range: the whole type, or [0, 1) for floating point.
	for _, v := range values(t, `"double"`, 100) {
		if f := v.(float64); f < 0 || f >= 1 {
			t.Fatalf("double %v outside [0, 1)", f)
		}
	}
}

func minF(a, b float64) float64 { return min(a, b) }
func maxF(a, b float64) float64 { return max(a, b) }

func TestIteration(t *testing.T) {
	tests := []struct {
		typ        string
		generation int64
		want       []any
	}{
		{`{"type":"int","arg.properties":{"iteration":{"start":0}}}`, 0, []any{0, 1, 2, 3}},
		{`{"type":"int","arg.properties":{"iteration":{"start":0,"restart":3}}}`, 0, []any{0, 1, 2, 0, 1, 2}},
		{`{"type":"int","arg.properties":{"iteration":{"start":0,"restart":3}}}`, 4, []any{1, 2, 0}},
		{`{"type":"long","arg.properties":{"iteration":{"start":1,"step":10}}}`, 0, []any{int64(1), int64(11), int64(21)}},
		{`{"type":"long","arg.properties":{"iteration":{"start":1,"step":10}}}`, 3, []any{int64(31), int64(41)}},
		{`{"type":"int","arg.properties":{"iteration":{"start":5,"restart":0}}}`, 0, []any{5, 4, 3, 2, 1, 5, 4}},
		{`{"type":"int","arg.properties":{"iteration":{"start":0,"step":-2}}}`, 0, []any{0, -2, -4}},
		{`{"type":"int","arg.properties":{"iteration":{"start":10,"restart":20,"step":5,"initial":15}}}`, 0, []any{15, 10, 15, 10}},
		{`{"type":"double","arg.properties":{"iteration":{"start":0,"restart":0.3,"step":0.1}}}`, 0, []any{0.0, 0.1, 0.2, 0.0, 0.1}},
		{`{"type":"double","arg.properties":{"iteration":{"start":0,"restart":0.3,"step":0.1}}}`, 2, []any{0.2, 0.0}},
		{`{"type":"float","arg.properties":{"iteration":{"start":1.5,"step":0.25}}}`, 0, []any{float32(1.5), float32(1.75), float32(2)}},
		{`{"type":"boolean","arg.properties":{"iteration":{"start":true}}}`, 0, []any{true, false, true}},
		{`{"type":"boolean","arg.properties":{"iteration":{"start":true}}}`, 1, []any{false, true}},
		{`{"type":"string","arg.properties":{"iteration":{"start":7},"prefix":"id-","suffix":"!"}}`, 0, []any{"id-7!", "id-8!"}},
		{`{"type":"long","logicalType":"timestamp-millis","arg.properties":{"iteration":{"start":1609459200000,"step":100000}}}`, 1,
			[]any{time.UnixMilli(1609459300000).UTC(), time.UnixMilli(1609459400000).UTC()}},
	}
	for _, tt := range tests {
		s := parse(t, oneField(tt.typ))
		g, err := NewGenerator(s, 1, tt.generation)
		if err != nil {
			t.Fatalf("%s: %v", tt.typ, err)
		}
		var got []any
		for range tt.want {
			got = append(got, g.Generate().(map[string]any)["f"])
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s from generation %d: got %#v, want %#v", tt.typ, tt.generation, got, tt.want)
		}
	}
}

func TestLength(t *testing.T) {
	lengths := func(typ string) (lo, hi int) {
		lo, hi = 1<<30, -1
		for _, v := range values(t, typ, 500) {
			n := reflect.ValueOf(v).Len()
			lo, hi = min(lo, n), max(hi, n)
		}
		return lo, hi
	}
	tests := []struct {
		typ    string
		lo, hi int
	}{
		{`"string"`, 8, 15},
		{`"bytes"`, 8, 15},
		{`{"type":"array","items":"int"}`, 8, 15},
		{`{"type":"string","arg.properties":{"length":3}}`, 3, 3},
		{`{"type":"bytes","arg.properties":{"length":{"min":2,"max":5}}}`, 2, 4},
		{`{"type":"array","items":"int","arg.properties":{"length":{"max":3}}}`, 0, 2},
		{`{"type":"string","arg.properties":{"length":{"min":20}}}`, 20, 20 + openLengthWidth - 1},
		{`{"type":"map","values":"int","arg.properties":{"length":4,"keys":{"options":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p"]}}}`, 2, 4}, // 4 draws among 16 keys: repeats merge
		{`{"type":"string","arg.properties":{"regex":"[a-z]*","length":10}}`, 10, 10},
		{`{"type":"string","arg.properties":{"regex":"[a-zA-Z]{0,15}","length":{"min":5}}}`, 5, 15},
		{`{"type":"string","arg.properties":{"regex":"[a-zA-Z]*","length":{"min":5,"max":16}}}`, 5, 15},
	}
	for _, tt := range tests {
		if lo, hi := lengths(tt.typ); lo != tt.lo || hi != tt.hi {
			t.Errorf("%s: lengths [%d, %d], want [%d, %d]", tt.typ, lo, hi, tt.lo, tt.hi)
		}
	}
}

func TestStrings(t *testing.T) {
	re := regexp.MustCompile(`^User_[1-9]$`)
	for _, v := range values(t, `{"type":"string","arg.properties":{"regex":"User_[1-9]"}}`, 200) {
		if !re.MatchString(v.(string)) {
			t.Fatalf("%q does not match", v)
		}
	}
	// Without a length the regex is pushed to 8 characters when it can be.
	for _, v := range values(t, `{"type":"string","arg.properties":{"regex":"Item_[1-9][0-9]{0,2}"}}`, 200) {
		if len(v.(string)) != 8 {
			t.Fatalf("%q is not 8 long", v)
		}
	}
	for _, v := range values(t, `{"type":"string","arg.properties":{"prefix":"<","suffix":">","length":2}}`, 200) {
		s := v.(string)
		if len(s) != 4 || s[0] != '<' || s[3] != '>' || s[1] > 127 || s[2] > 127 {
			t.Fatalf("%q", s)
		}
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for _, v := range values(t, `{"type":"string","logicalType":"uuid"}`, 50) {
		if !uuid.MatchString(v.(string)) {
			t.Fatalf("%q is not a UUID", v)
		}
	}
	// Map keys: one ASCII character without a keys annotation, else its rules.
	for _, v := range values(t, `{"type":"map","values":"null"}`, 50) {
		for k := range v.(map[string]any) {
			if len(k) != 1 {
				t.Fatalf("key %q", k)
			}
		}
	}
	for _, v := range values(t, `{"type":"map","values":"null","arg.properties":{"keys":{"regex":"k[0-9]{3}"}}}`, 50) {
		for k := range v.(map[string]any) {
			if !regexp.MustCompile(`^k[0-9]{3}$`).MatchString(k) {
				t.Fatalf("key %q", k)
			}
		}
	}
}

func TestOdds(t *testing.T) {
	for _, v := range values(t, `{"type":"boolean","arg.properties":{"odds":0}}`, 200) {
		if v.(bool) {
			t.Fatal("odds 0 gave true")
		}
	}
	for _, v := range values(t, `{"type":"boolean","arg.properties":{"odds":1.0}}`, 200) {
		if !v.(bool) {
			t.Fatal("odds 1 gave false")
		}
	}
	n := 0
	for _, v := range values(t, `{"type":"boolean","arg.properties":{"odds":0.9}}`, 1000) {
		if v.(bool) {
			n++
		}
	}
	if n < 850 || n > 950 {
		t.Errorf("odds 0.9: %d of 1000 true", n)
	}
}

// TestUnannotated: every type without annotations gets values of its type
// that avro.Marshal accepts; unions pick every branch.
func TestUnannotated(t *testing.T) {
	schema := `{"type":"record","name":"all","namespace":"t","fields":[
		{"name":"n","type":"null"},{"name":"b","type":"boolean"},{"name":"i","type":"int"},{"name":"l","type":"long"},
		{"name":"f","type":"float"},{"name":"d","type":"double"},{"name":"by","type":"bytes"},{"name":"s","type":"string"},
		{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}},
		{"name":"fx","type":{"type":"fixed","name":"F","size":3}},
		{"name":"a","type":{"type":"array","items":"E"}},
		{"name":"m","type":{"type":"map","values":"F"}},
		{"name":"u","type":["null","string","E",{"type":"record","name":"Sub","fields":[{"name":"x","type":"int"}]},{"type":"array","items":"long"}]},
		{"name":"sub","type":["null","Sub"]},
		{"name":"date","type":{"type":"int","logicalType":"date"}},
		{"name":"tm","type":{"type":"int","logicalType":"time-millis"}},
		{"name":"tu","type":{"type":"long","logicalType":"time-micros"}},
		{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
		{"name":"tsu","type":{"type":"long","logicalType":"timestamp-micros"}},
		{"name":"lts","type":{"type":"long","logicalType":"local-timestamp-millis"}},
		{"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":20,"scale":4}},
		{"name":"fdec","type":{"type":"fixed","name":"FD","size":8,"logicalType":"decimal","precision":10,"scale":2}},
		{"name":"dur","type":{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}},
		{"name":"ts2","type":["null",{"type":"long","logicalType":"timestamp-millis"}]}
	]}`
	s := parse(t, schema)
	g, err := NewGenerator(s, 7, 0)
	if err != nil {
		t.Fatal(err)
	}
	branches := map[string]bool{}
	for range 300 {
		rec := g.Generate().(map[string]any)
		if _, err := avro.Marshal(s, rec); err != nil {
			t.Fatalf("marshal %#v: %v", rec, err)
		}
		switch u := rec["u"].(type) {
		case nil:
			branches["null"] = true
		case string:
			branches["string"] = true
		case map[string]any:
			for k := range u {
				branches[k] = true
			}
		}
		if _, ok := rec["date"].(time.Time); !ok {
			t.Fatalf("date is %T", rec["date"])
		}
		if _, ok := rec["tm"].(time.Duration); !ok {
			t.Fatalf("time-millis is %T", rec["tm"])
		}
		if _, ok := rec["dec"].(*big.Rat); !ok {
			t.Fatalf("decimal is %T", rec["dec"])
		}
		if _, ok := rec["fx"].([3]byte); !ok {
			t.Fatalf("fixed is %T", rec["fx"])
		}
		if d := rec["dec"].(*big.Rat); new(big.Rat).Abs(d).Cmp(big.NewRat(10_000_000_000_000_000, 1)) >= 0 {
			t.Fatalf("decimal(20,4) %s has more than 16 integer digits", d.FloatString(4))
		}
	}
	for _, b := range []string{"null", "string", "t.E", "t.Sub", "array"} {
		if !branches[b] {
			t.Errorf("union branch %s never chosen", b)
		}
	}
}

func TestDecimalRange(t *testing.T) {
	for _, v := range values(t, `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2,"arg.properties":{"range":{"min":10.00,"max":50.00}}}`, 500) {
		d := v.(*big.Rat)
		if d.Cmp(big.NewRat(10, 1)) < 0 || d.Cmp(big.NewRat(50, 1)) >= 0 {
			t.Fatalf("%s outside [10, 50)", d.FloatString(2))
		}
		if x := new(big.Rat).Mul(d, big.NewRat(100, 1)); !x.IsInt() {
			t.Fatalf("%s has more than 2 decimals", d.RatString())
		}
	}
}

// TestNamedTypeSharesIteration: a named type used twice is one schema, so
// its iteration advances at each use, as avro-random-generator's iterators
// are per schema object.
func TestNamedTypeSharesIteration(t *testing.T) {
	s := parse(t, `{"type":"record","name":"r","fields":[
		{"name":"a","type":{"type":"record","name":"Counter","fields":[{"name":"n","type":{"type":"int","arg.properties":{"iteration":{"start":0}}}}]}},
		{"name":"b","type":"Counter"},
		{"name":"c","type":{"type":"int","arg.properties":{"iteration":{"start":0}}}}]}`)
	g, err := NewGenerator(s, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	rec := g.Generate().(map[string]any)
	rec2 := g.Generate().(map[string]any)
	got := []any{rec["a"].(map[string]any)["n"], rec["b"].(map[string]any)["n"], rec["c"], rec2["a"].(map[string]any)["n"], rec2["c"]}
	if want := []any{0, 1, 0, 2, 1}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestDeterminism: the same seed gives the same values, and a generator
// rebuilt from a stored NextSeed and the generation count continues the
// first one exactly, iterations included.
func TestDeterminism(t *testing.T) {
	s := parse(t, `{"type":"record","name":"r","fields":[
		{"name":"id","type":{"type":"long","arg.properties":{"iteration":{"start":100}}}},
		{"name":"s","type":"string"},{"name":"re","type":{"type":"string","arg.properties":{"regex":"[a-z]{3,20}"}}},
		{"name":"u","type":["null","double"]},{"name":"a","type":{"type":"array","items":"int"}}]}`)
	a, _ := NewGenerator(s, 42, 0)
	b, _ := NewGenerator(s, 42, 0)
	c, _ := NewGenerator(s, 43, 0)
	differs := false
	var seed int64
	for i := range 50 {
		va, vb, vc := a.Generate(), b.Generate(), c.Generate()
		if !reflect.DeepEqual(va, vb) {
			t.Fatalf("record %d: %v != %v", i, va, vb)
		}
		differs = differs || !reflect.DeepEqual(va, vc)
		seed = a.NextSeed()
		b.NextSeed()
		c.NextSeed()
	}
	if !differs {
		t.Error("seeds 42 and 43 gave the same records")
	}
	resumed, err := NewGenerator(s, seed, 50)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		va, vr := a.Generate(), resumed.Generate()
		if !reflect.DeepEqual(va, vr) {
			t.Fatalf("resumed record %d: %v != %v", i, vr, va)
		}
		if id := vr.(map[string]any)["id"]; id != int64(150+i) {
			t.Fatalf("resumed id %v, want %d", id, 150+i)
		}
		a.NextSeed()
		resumed.NextSeed()
	}
}

func TestSchemaErrors(t *testing.T) {
	tests := []struct{ typ, want string }{
		{`{"type":"string","arg.properties":"x"}`, "arg.properties property must be given as object"},
		{`{"type":"string","arg.properties":{"options":[]}}`, "options property cannot be empty"},
		{`{"type":"string","arg.properties":{"options":["a"],"regex":"a"}}`, "Cannot specify regex prop when options prop is given"},
		{`{"type":"int","arg.properties":{"iteration":{"start":0},"range":{"min":1}}}`, "Cannot specify range prop when iteration prop is given"},
		{`{"type":"int","arg.properties":{"options":["a"]}}`, "Invalid option for int schema"},
		{`{"type":"int","arg.properties":{"range":{"min":5,"max":5}}}`, "'min' field must be strictly less than 'max' field in range property"},
		{`{"type":"int","arg.properties":{"range":{"min":1.5}}}`, "'min' field of range property must be an integral number"},
		{`{"type":"int","arg.properties":{"range":{"max":3000000000}}}`, "must be a valid int for int schemas"},
		{`{"type":"int","arg.properties":{"iteration":{"step":1}}}`, "iteration property must contain start field"},
		{`{"type":"int","arg.properties":{"iteration":{"start":0,"step":0}}}`, "step field of iteration property cannot be zero"},
		{`{"type":"int","arg.properties":{"iteration":{"start":0,"restart":0}}}`, "start and restart fields of iteration property cannot be equal"},
		{`{"type":"int","arg.properties":{"iteration":{"start":0,"restart":5,"step":-1}}}`, "must be positive when restart field is greater than start field"},
		{`{"type":"boolean","arg.properties":{"iteration":{"start":1}}}`, "for a boolean schema must be a boolean"},
		{`{"type":"bytes","arg.properties":{"iteration":{"start":1}}}`, "iteration property can only be specified on numeric, boolean or string schemas, not bytes schema"},
		{`{"type":"string","arg.properties":{"regex":"(?=x)"}}`, "regex property"},
		{`{"type":"string","arg.properties":{"regex":5}}`, "regex property must be a string"},
		{`{"type":"string","arg.properties":{"length":-1}}`, "length property cannot be negative"},
		{`{"type":"string","arg.properties":{"length":{"min":5,"max":5}}}`, "max field must be strictly greater than min field"},
		{`{"type":"string","arg.properties":{"length":{}}}`, "must contain at least one of 'min' or 'max'"},
		{`{"type":"string","arg.properties":{"prefix":1}}`, "prefix property must be a string"},
		{`{"type":"boolean","arg.properties":{"odds":1.5}}`, "odds property must be in the range [0.0, 1.0]"},
		{`{"type":"map","values":"int","arg.properties":{"keys":"x"}}`, "keys prop must be an object"},
		{`{"type":"string","arg.properties":{"options":{"file":"/nonexistent/x.json","encoding":"json"}}}`, "Unable to locate options file '/nonexistent/x.json'"},
		{`{"type":"string","arg.properties":{"options":{"file":"x"}}}`, "must contain 'encoding' field"},
		{`{"type":"bytes","logicalType":"decimal","precision":4,"scale":2,"arg.properties":{"range":{"min":5,"max":1}}}`, "'min' field must be strictly less than 'max'"},
	}
	for _, tt := range tests {
		_, err := NewGenerator(parse(t, oneField(tt.typ)), 1, 0)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.typ, err, tt.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), "field f: ") {
			t.Errorf("%s: error %q does not name the field", tt.typ, err)
		}
	}
	// Nested fields are named by their path.
	_, err := NewGenerator(parse(t, oneField(`{"type":"record","name":"In","fields":[{"name":"g","type":{"type":"array","items":{"type":"int","arg.properties":{"range":"x"}}}}]}`)), 1, 0)
	if err == nil || !strings.HasPrefix(err.Error(), "field f.g.[]: range property must be an object") {
		t.Errorf("nested error: %v", err)
	}
}

func TestOptionsFile(t *testing.T) {
	dir := t.TempDir()
	jsonFile := filepath.Join(dir, "nouns.json")
	if err := os.WriteFile(jsonFile, []byte(`"cat" "dog"`+"\n"+`"emu"`), 0o644); err != nil {
		t.Fatal(err)
	}
	got := values(t, `{"type":"string","arg.properties":{"options":{"file":"`+jsonFile+`","encoding":"json"}}}`, 100)
	for _, v := range got {
		if indexOf([]any{"cat", "dog", "emu"}, v) < 0 {
			t.Fatalf("%v is not in the file", v)
		}
	}
	binFile := filepath.Join(dir, "ints.bin")
	var bin []byte
	for _, n := range []int{3, 300} {
		b, err := avro.Marshal(avro.MustParse(`"int"`), n)
		if err != nil {
			t.Fatal(err)
		}
		bin = append(bin, b...)
	}
	if err := os.WriteFile(binFile, bin, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, v := range values(t, `{"type":"int","arg.properties":{"options":{"file":"`+binFile+`","encoding":"binary"}}}`, 50) {
		if v != 3 && v != 300 {
			t.Fatalf("%v is not in the file", v)
		}
	}
}
