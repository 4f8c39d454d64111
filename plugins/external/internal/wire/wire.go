// Package wire turns Connect data (schemas, values, records, offsets) and
// errors into the protocol's protobuf messages and back. Schemas are interned
// per batch: each distinct *schemas.Schema (by pointer) is written once into
// the batch's table and referred to by index, so a batch of records sharing a
// schema carries it once, and the decoded records share one *schemas.Schema
// again.
//
// Decoding never trusts its input: every index, type and value is checked,
// and what does not fit is an error, never a panic.
package wire

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/sluicehq/sluice/plugins/external/internal/pb"
	"github.com/sluicehq/sluice/schemas"
)

// maxSchemaDepth bounds the nesting of schemas, so that a schema that refers
// to itself (possible by hand) is an error rather than endless recursion.
const maxSchemaDepth = 256

// Encoder encodes the records of one batch.
type Encoder struct {
	table []*pb.Schema
	index map[*schemas.Schema]uint32
	depth int
}

// NewEncoder returns an encoder with an empty schema table.
func NewEncoder() *Encoder { return &Encoder{} }

// Schemas returns the schema table built so far.
func (e *Encoder) Schemas() []*pb.Schema { return e.table }

// Schema interns s and returns its reference: 0 for nil, else index+1.
func (e *Encoder) Schema(s *schemas.Schema) (uint32, error) {
	if s == nil {
		return 0, nil
	}
	if ref, ok := e.index[s]; ok {
		return ref, nil
	}
	if e.depth >= maxSchemaDepth {
		return 0, fmt.Errorf("schema %v nested more than %d levels deep (does it contain itself?)", s, maxSchemaDepth)
	}
	e.depth++
	defer func() { e.depth-- }()
	m := &pb.Schema{Type: int32(s.Type), Optional: s.Optional, Name: s.Name, Doc: s.Doc}
	if s.Version != nil {
		m.HasVersion, m.Version = true, int32(*s.Version)
	}
	for _, k := range s.ParameterNames() {
		m.ParamKeys = append(m.ParamKeys, k)
		m.ParamValues = append(m.ParamValues, s.Parameters[k])
	}
	var err error
	for _, f := range s.Fields {
		ref, ferr := e.Schema(f.Schema)
		if ferr != nil {
			return 0, fmt.Errorf("field %s: %w", f.Name, ferr)
		}
		m.FieldNames = append(m.FieldNames, f.Name)
		m.FieldSchemas = append(m.FieldSchemas, ref)
	}
	if m.Key, err = e.Schema(s.Key); err != nil {
		return 0, fmt.Errorf("map key: %w", err)
	}
	if m.Value, err = e.Schema(s.Value); err != nil {
		return 0, fmt.Errorf("value schema: %w", err)
	}
	if s.Default != nil {
		if m.Default, err = e.Value(s.Default); err != nil {
			return 0, fmt.Errorf("default of %v: %w", s, err)
		}
	}
	if e.index == nil {
		e.index = map[*schemas.Schema]uint32{}
	}
	e.table = append(e.table, m)
	ref := uint32(len(e.table))
	e.index[s] = ref
	return ref, nil
}

// Value encodes one Connect value. Integers of other Go types than the data
// model's (int, uint, ...) become int64, as schemaless values accept them.
func (e *Encoder) Value(v any) (*pb.Value, error) {
	m := &pb.Value{}
	switch x := v.(type) {
	case nil:
	case int8:
		m.Kind = &pb.Value_Int8{Int8: int32(x)}
	case int16:
		m.Kind = &pb.Value_Int16{Int16: int32(x)}
	case int32:
		m.Kind = &pb.Value_Int32{Int32: x}
	case int64:
		m.Kind = &pb.Value_Int64{Int64: x}
	case int:
		m.Kind = &pb.Value_Int64{Int64: int64(x)}
	case uint8:
		m.Kind = &pb.Value_Int64{Int64: int64(x)}
	case uint16:
		m.Kind = &pb.Value_Int64{Int64: int64(x)}
	case uint32:
		m.Kind = &pb.Value_Int64{Int64: int64(x)}
	case uint:
		if uint64(x) > math.MaxInt64 {
			return nil, fmt.Errorf("integer %d does not fit in an int64", x)
		}
		m.Kind = &pb.Value_Int64{Int64: int64(x)}
	case uint64:
		if x > math.MaxInt64 {
			return nil, fmt.Errorf("integer %d does not fit in an int64", x)
		}
		m.Kind = &pb.Value_Int64{Int64: int64(x)}
	case float32:
		m.Kind = &pb.Value_Float32{Float32: x}
	case float64:
		m.Kind = &pb.Value_Float64{Float64: x}
	case bool:
		m.Kind = &pb.Value_Boolean{Boolean: x}
	case string:
		m.Kind = &pb.Value_String_{String_: x}
	case []byte:
		m.Kind = &pb.Value_Bytes{Bytes: x}
	case []any:
		l := &pb.ValueList{Items: make([]*pb.Value, len(x))}
		for i, it := range x {
			iv, err := e.Value(it)
			if err != nil {
				return nil, fmt.Errorf("array element %d: %w", i, err)
			}
			l.Items[i] = iv
		}
		m.Kind = &pb.Value_Array{Array: l}
	case map[string]any:
		sm := &pb.StringKeyMap{Keys: make([]string, 0, len(x)), Values: make([]*pb.Value, 0, len(x))}
		for k, it := range x {
			iv, err := e.Value(it)
			if err != nil {
				return nil, fmt.Errorf("map entry %q: %w", k, err)
			}
			sm.Keys = append(sm.Keys, k)
			sm.Values = append(sm.Values, iv)
		}
		m.Kind = &pb.Value_StringMap{StringMap: sm}
	case map[any]any:
		am := &pb.AnyKeyMap{Keys: make([]*pb.Value, 0, len(x)), Values: make([]*pb.Value, 0, len(x))}
		for k, it := range x {
			kv, err := e.Value(k)
			if err != nil {
				return nil, fmt.Errorf("map key %v: %w", k, err)
			}
			iv, err := e.Value(it)
			if err != nil {
				return nil, fmt.Errorf("map entry %v: %w", k, err)
			}
			am.Keys = append(am.Keys, kv)
			am.Values = append(am.Values, iv)
		}
		m.Kind = &pb.Value_AnyMap{AnyMap: am}
	case *schemas.Struct:
		if x == nil {
			break
		}
		ref, err := e.Schema(x.Schema())
		if err != nil {
			return nil, err
		}
		n := len(x.Schema().Fields)
		sv := &pb.StructValue{Schema: ref, Fields: make([]*pb.Value, n)}
		for i := range n {
			fv, err := e.Value(x.At(i))
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", x.Schema().Fields[i].Name, err)
			}
			sv.Fields[i] = fv
		}
		m.Kind = &pb.Value_Struct{Struct: sv}
	case *big.Rat:
		if x == nil {
			break
		}
		m.Kind = &pb.Value_Decimal{Decimal: x.String()}
	case time.Time:
		m.Kind = &pb.Value_Time{Time: encodeTime(x)}
	default:
		return nil, fmt.Errorf("a value of Go type %T is not part of the Connect data model", v)
	}
	return m, nil
}

func encodeTime(t time.Time) *pb.Time {
	return &pb.Time{Seconds: t.Unix(), Nanos: int32(t.Nanosecond())}
}

func decodeTime(m *pb.Time) (time.Time, error) {
	if m.Nanos < 0 || m.Nanos >= 1e9 {
		return time.Time{}, fmt.Errorf("time nanos %d out of range", m.Nanos)
	}
	return time.Unix(m.Seconds, int64(m.Nanos)).UTC(), nil
}

// Decoder decodes the records of one batch against its schema table.
type Decoder struct {
	table []*schemas.Schema
}

// NewDecoder builds the batch's schemas. Each entry may refer only to
// earlier ones, so there are no cycles.
func NewDecoder(table []*pb.Schema) (*Decoder, error) {
	d := &Decoder{table: make([]*schemas.Schema, 0, len(table))}
	for i, m := range table {
		s, err := d.buildSchema(m)
		if err != nil {
			return nil, fmt.Errorf("schema %d: %w", i+1, err)
		}
		d.table = append(d.table, s)
	}
	return d, nil
}

// Schema resolves a reference (0 = nil).
func (d *Decoder) Schema(ref uint32) (*schemas.Schema, error) {
	if ref == 0 {
		return nil, nil
	}
	if int(ref) > len(d.table) {
		return nil, fmt.Errorf("schema reference %d outside the batch's table of %d", ref, len(d.table))
	}
	return d.table[ref-1], nil
}

func (d *Decoder) buildSchema(m *pb.Schema) (*schemas.Schema, error) {
	t := schemas.Type(m.Type)
	if t < schemas.TypeInt8 || t > schemas.TypeStruct {
		return nil, fmt.Errorf("unknown schema type %d", m.Type)
	}
	if len(m.ParamKeys) != len(m.ParamValues) || len(m.FieldNames) != len(m.FieldSchemas) {
		return nil, errors.New("malformed schema: lists of different lengths")
	}
	key, err := d.Schema(m.Key)
	if err != nil {
		return nil, err
	}
	value, err := d.Schema(m.Value)
	if err != nil {
		return nil, err
	}
	var b *schemas.Builder
	switch t {
	case schemas.TypeArray:
		b = schemas.Array(value)
	case schemas.TypeMap:
		b = schemas.Map(key, value)
	default:
		b = schemas.NewBuilder(t)
	}
	if m.Optional {
		b.Optional()
	}
	if m.Name != "" {
		b.Name(m.Name)
	}
	if m.HasVersion {
		b.Version(int(m.Version))
	}
	if m.Doc != "" {
		b.Doc(m.Doc)
	}
	params := map[string]string(nil)
	for i, k := range m.ParamKeys {
		b.Parameter(k, m.ParamValues[i])
		if params == nil {
			params = map[string]string{}
		}
		params[k] = m.ParamValues[i]
	}
	fields := make([]schemas.Field, len(m.FieldNames))
	for i, name := range m.FieldNames {
		fs, err := d.Schema(m.FieldSchemas[i])
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", name, err)
		}
		if fs == nil {
			return nil, fmt.Errorf("field %s has no schema", name)
		}
		b.Field(name, fs)
		fields[i] = schemas.Field{Name: name, Index: i, Schema: fs}
	}
	var def any
	if m.Default != nil {
		if def, err = d.Value(m.Default); err != nil {
			return nil, fmt.Errorf("default: %w", err)
		}
		b.Default(def)
	}
	if s, err := b.Build(); err == nil {
		return s, nil
	}
	// A schema made by hand need not pass the Builder's checks; keep it as
	// it was (parameters then lose their order).
	s := &schemas.Schema{Type: t, Optional: m.Optional, Default: def, Name: m.Name, Doc: m.Doc,
		Parameters: params, Key: key, Value: value}
	if len(fields) > 0 {
		s.Fields = fields
	}
	if m.HasVersion {
		v := int(m.Version)
		s.Version = &v
	}
	return s, nil
}

// Value decodes one Connect value.
func (d *Decoder) Value(m *pb.Value) (any, error) {
	if m == nil {
		return nil, nil
	}
	switch k := m.Kind.(type) {
	case nil:
		return nil, nil
	case *pb.Value_Int8:
		if k.Int8 < math.MinInt8 || k.Int8 > math.MaxInt8 {
			return nil, fmt.Errorf("int8 value %d out of range", k.Int8)
		}
		return int8(k.Int8), nil
	case *pb.Value_Int16:
		if k.Int16 < math.MinInt16 || k.Int16 > math.MaxInt16 {
			return nil, fmt.Errorf("int16 value %d out of range", k.Int16)
		}
		return int16(k.Int16), nil
	case *pb.Value_Int32:
		return k.Int32, nil
	case *pb.Value_Int64:
		return k.Int64, nil
	case *pb.Value_Float32:
		return k.Float32, nil
	case *pb.Value_Float64:
		return k.Float64, nil
	case *pb.Value_Boolean:
		return k.Boolean, nil
	case *pb.Value_String_:
		return k.String_, nil
	case *pb.Value_Bytes:
		if k.Bytes == nil {
			return []byte{}, nil
		}
		return k.Bytes, nil
	case *pb.Value_Array:
		out := make([]any, len(k.Array.GetItems()))
		for i, it := range k.Array.GetItems() {
			v, err := d.Value(it)
			if err != nil {
				return nil, fmt.Errorf("array element %d: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	case *pb.Value_StringMap:
		sm := k.StringMap
		if len(sm.GetKeys()) != len(sm.GetValues()) {
			return nil, errors.New("malformed map: keys and values of different lengths")
		}
		out := make(map[string]any, len(sm.GetKeys()))
		for i, key := range sm.GetKeys() {
			v, err := d.Value(sm.Values[i])
			if err != nil {
				return nil, fmt.Errorf("map entry %q: %w", key, err)
			}
			out[key] = v
		}
		return out, nil
	case *pb.Value_AnyMap:
		am := k.AnyMap
		if len(am.GetKeys()) != len(am.GetValues()) {
			return nil, errors.New("malformed map: keys and values of different lengths")
		}
		out := make(map[any]any, len(am.GetKeys()))
		for i, km := range am.GetKeys() {
			key, err := d.Value(km)
			if err != nil {
				return nil, fmt.Errorf("map key: %w", err)
			}
			if !hashable(key) {
				return nil, fmt.Errorf("map key of Go type %T cannot be a Go map key", key)
			}
			v, err := d.Value(am.Values[i])
			if err != nil {
				return nil, fmt.Errorf("map entry %v: %w", key, err)
			}
			out[key] = v
		}
		return out, nil
	case *pb.Value_Struct:
		s, err := d.Schema(k.Struct.GetSchema())
		if err != nil {
			return nil, err
		}
		if s == nil || s.Type != schemas.TypeStruct {
			return nil, fmt.Errorf("struct value with schema %v", s)
		}
		if len(k.Struct.GetFields()) != len(s.Fields) {
			return nil, fmt.Errorf("struct of %v has %d values for %d fields", s, len(k.Struct.GetFields()), len(s.Fields))
		}
		st := schemas.NewStruct(s)
		for i, fm := range k.Struct.GetFields() {
			v, err := d.Value(fm)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", s.Fields[i].Name, err)
			}
			if v == nil {
				continue
			}
			if err := st.PutAt(i, v); err != nil {
				return nil, fmt.Errorf("field %s: %w", s.Fields[i].Name, err)
			}
		}
		return st, nil
	case *pb.Value_Decimal:
		return decodeDecimal(k.Decimal)
	case *pb.Value_Time:
		return decodeTime(k.Time)
	default:
		return nil, fmt.Errorf("unknown value kind %T", k)
	}
}

// hashable reports whether v, a decoded value, can be a Go map key.
func hashable(v any) bool {
	switch v.(type) {
	case []byte, []any, map[string]any, map[any]any:
		return false
	}
	return true
}

// OffsetMap encodes a source partition or offset, normalised as the offset
// stores normalise it: every integer becomes int64, every float float64.
func (e *Encoder) OffsetMap(m map[string]any) (*pb.OffsetMap, error) {
	if m == nil {
		return &pb.OffsetMap{}, nil
	}
	out := &pb.OffsetMap{Present: true, Keys: make([]string, 0, len(m)), Values: make([]*pb.Value, 0, len(m))}
	for k, v := range m {
		var pv *pb.Value
		switch x := v.(type) {
		case int8:
			pv = &pb.Value{Kind: &pb.Value_Int64{Int64: int64(x)}}
		case int16:
			pv = &pb.Value{Kind: &pb.Value_Int64{Int64: int64(x)}}
		case int32:
			pv = &pb.Value{Kind: &pb.Value_Int64{Int64: int64(x)}}
		case float32:
			pv = &pb.Value{Kind: &pb.Value_Float64{Float64: float64(x)}}
		default:
			var err error
			if pv, err = e.Value(v); err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
		}
		out.Keys = append(out.Keys, k)
		out.Values = append(out.Values, pv)
	}
	return out, nil
}

// OffsetMap decodes a source partition or offset.
func (d *Decoder) OffsetMap(m *pb.OffsetMap) (map[string]any, error) {
	if m == nil || !m.Present {
		return nil, nil
	}
	if len(m.Keys) != len(m.Values) {
		return nil, errors.New("malformed offset map: keys and values of different lengths")
	}
	out := make(map[string]any, len(m.Keys))
	for i, k := range m.Keys {
		v, err := d.Value(m.Values[i])
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// decodeDecimal parses the "num/den" form Encode writes. Only that form:
// SetString would also take an exponent, and "1e999999999" would take the
// worker's memory.
func decodeDecimal(s string) (*big.Rat, error) {
	if len(s) > 1<<16 || strings.Trim(s, "-0123456789/") != "" {
		return nil, fmt.Errorf("invalid decimal %.40q", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("invalid decimal %.40q", s)
	}
	return r, nil
}
