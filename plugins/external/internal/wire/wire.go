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
	"math/big"
	"strings"

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
		w := &writer{e: e}
		if err := w.value(s.Default); err != nil {
			return 0, fmt.Errorf("default of %v: %w", s, err)
		}
		m.Default = w.b
	}
	if e.index == nil {
		e.index = map[*schemas.Schema]uint32{}
	}
	e.table = append(e.table, m)
	ref := uint32(len(e.table))
	e.index[s] = ref
	return ref, nil
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
	if len(m.Default) > 0 {
		r := &reader{d: d, b: m.Default}
		if def, err = r.value(); err == nil && len(r.b) != 0 {
			err = fmt.Errorf("%d bytes after the value", len(r.b))
		}
		if err != nil {
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

// hashable reports whether v, a decoded value, can be a Go map key.
func hashable(v any) bool {
	switch v.(type) {
	case []byte, []any, map[string]any, map[any]any:
		return false
	}
	return true
}

// EncodeOffsetMap encodes a source partition or offset, normalised as the
// offset stores normalise it: every integer becomes int64, every float
// float64.
func EncodeOffsetMap(m map[string]any) (*pb.OffsetMap, error) {
	w := &writer{e: NewEncoder()}
	if err := w.offsetMap(m); err != nil {
		return nil, err
	}
	return &pb.OffsetMap{Data: w.b}, nil
}

// DecodeOffsetMap decodes a source partition or offset.
func DecodeOffsetMap(m *pb.OffsetMap) (map[string]any, error) {
	if len(m.GetData()) == 0 {
		return nil, nil
	}
	r := &reader{d: &Decoder{}, b: m.GetData()}
	out, err := r.offsetMap()
	if err == nil && len(r.b) != 0 {
		err = fmt.Errorf("%d bytes after the map", len(r.b))
	}
	return out, err
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
