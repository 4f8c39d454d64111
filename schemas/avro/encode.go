package avro

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/sluicehq/sluice/schemas"
)

// encodeFn writes one Connect value to w.
type encodeFn func(w *avro.Writer, v any) error

// AppendEncode appends the Avro binary body of v, a Connect value of
// ws.Connect, to w's buffer.
func (ws *WriterSchema) AppendEncode(w *avro.Writer, v any) error {
	return ws.encode(w, v)
}

// Encode returns the Avro binary body (no wire-format header) of v.
func (ws *WriterSchema) Encode(v any) ([]byte, error) {
	w := avro.NewWriter(nil, 256)
	if err := ws.encode(w, v); err != nil {
		return nil, err
	}
	return w.Buffer(), nil
}

func invalidType(c *schemas.Schema, v any) error {
	return schemas.DataErrorf("Invalid type for %v: %T", c.Type, v)
}

// defaultJSON mirrors AvroData.defaultValueFromConnect: a Connect value as
// the JSON of an Avro default.
func (x *fromCtx) defaultJSON(c *schemas.Schema, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c.Name {
	case schemas.DateName, schemas.TimeName, schemas.TimestampName:
		t, ok := v.(time.Time)
		if !ok {
			return nil, invalidType(c, v)
		}
		switch c.Name {
		case schemas.DateName:
			days, err := schemas.DateToDays(t)
			return int64(days), err
		case schemas.TimeName:
			ms, err := schemas.TimeToMillis(t)
			return int64(ms), err
		}
		ms, err := schemas.TimestampToMillis(t)
		return ms, err
	case schemas.DecimalName:
		r, ok := v.(*big.Rat)
		if !ok {
			return nil, invalidType(c, v)
		}
		scale, err := schemas.DecimalScale(c)
		if err != nil {
			return nil, err
		}
		b, err := schemas.DecimalToBytes(scale, r)
		if err != nil {
			return nil, err
		}
		return latin1String(b), nil
	}
	switch c.Type {
	case schemas.TypeInt8, schemas.TypeInt16, schemas.TypeInt32, schemas.TypeInt64:
		n, ok := intValue(v)
		if !ok {
			return nil, invalidType(c, v)
		}
		return n, nil
	case schemas.TypeFloat32:
		f, ok := v.(float32)
		if !ok {
			return nil, invalidType(c, v)
		}
		return javaFloat{float64(f), 32}, nil
	case schemas.TypeFloat64:
		f, ok := v.(float64)
		if !ok {
			return nil, invalidType(c, v)
		}
		return javaFloat{f, 64}, nil
	case schemas.TypeBoolean, schemas.TypeString:
		return v, nil
	case schemas.TypeBytes:
		b, ok := v.([]byte)
		if !ok {
			return nil, invalidType(c, v)
		}
		return latin1String(b), nil
	case schemas.TypeArray:
		l, ok := v.([]any)
		if !ok {
			return nil, invalidType(c, v)
		}
		out := make([]any, len(l))
		for i, e := range l {
			d, err := x.defaultJSON(c.Value, e)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		return out, nil
	case schemas.TypeMap:
		entries, err := mapEntries(c, v)
		if err != nil {
			return nil, err
		}
		if c.Key.Type == schemas.TypeString && (!c.Key.Optional || x.d.cfg.AllowOptionalMapKeys) {
			o := &obj{}
			for _, e := range entries {
				d, err := x.defaultJSON(c.Value, e.v)
				if err != nil {
					return nil, err
				}
				k, _ := e.k.(string)
				o.set(k, d)
			}
			return o, nil
		}
		out := make([]any, 0, len(entries))
		for _, e := range entries {
			k, err := x.defaultJSON(c.Key, e.k)
			if err != nil {
				return nil, err
			}
			d, err := x.defaultJSON(c.Value, e.v)
			if err != nil {
				return nil, err
			}
			out = append(out, []any{k, d})
		}
		return out, nil
	case schemas.TypeStruct:
		st, ok := v.(*schemas.Struct)
		if !ok {
			return nil, invalidType(c, v)
		}
		o := &obj{}
		for i, f := range c.Fields {
			d, err := x.defaultJSON(f.Schema, st.Get(f.Name))
			if err != nil {
				return nil, err
			}
			if isUnionSchema(c) {
				return d, nil
			}
			_ = i
			o.set(x.scrub(f.Name), d)
		}
		return o, nil
	}
	return nil, schemas.DataErrorf("Unknown schema type: %v", c.Type)
}

func latin1String(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

func intValue(v any) (int64, bool) {
	switch n := v.(type) {
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	}
	return 0, false
}

type entry struct{ k, v any }

// mapEntries lists a Connect map's entries, string keys sorted so that
// equal maps encode to equal bytes.
func mapEntries(c *schemas.Schema, v any) ([]entry, error) {
	var out []entry
	switch m := v.(type) {
	case map[string]any:
		out = make([]entry, 0, len(m))
		for _, k := range sortedKeys(m) {
			out = append(out, entry{k, m[k]})
		}
	case map[any]any:
		out = make([]entry, 0, len(m))
		for k, e := range m {
			out = append(out, entry{k, e})
		}
		slices.SortFunc(out, func(a, b entry) int { return strings.Compare(fmt.Sprint(a.k), fmt.Sprint(b.k)) })
	default:
		return nil, invalidType(c, v)
	}
	return out, nil
}

// compileEncoder builds the encoder of Connect values of c as Avro binary of
// a. a is usually the schema FromConnectSchema made from c, but may be
// another one (use.latest.version): fields are matched by name, and a field
// that c lacks is written with its Avro default.
func (d *Data) compileEncoder(a avro.Schema, c *schemas.Schema) (encodeFn, error) {
	a = deref(a)
	if u, ok := a.(*avro.UnionSchema); ok {
		return d.unionEncoder(u, c)
	}
	inner, err := d.compileRequired(a, c)
	if err != nil {
		return nil, err
	}
	return func(w *avro.Writer, v any) error {
		if v == nil || isNilValue(v) {
			if c.Default != nil {
				return inner(w, c.Default)
			}
			return schemas.DataErrorf("Found null value for non-optional schema")
		}
		return inner(w, v)
	}, nil
}

func isNilValue(v any) bool {
	switch x := v.(type) {
	case *schemas.Struct:
		return x == nil
	case *big.Rat:
		return x == nil
	}
	return false
}

func (d *Data) unionEncoder(u *avro.UnionSchema, c *schemas.Schema) (encodeFn, error) {
	types := u.Types()
	nullIdx := -1
	for i, m := range types {
		if isNull(m) {
			nullIdx = i
		}
	}
	writeNull := func(w *avro.Writer) error {
		if nullIdx < 0 {
			return schemas.DataErrorf("Found null value for non-optional schema")
		}
		w.WriteLong(int64(nullIdx))
		return nil
	}
	if isUnionSchema(c) {
		// One Connect field per branch; the first one set is written.
		type branch struct {
			idx int
			enc encodeFn
		}
		branches := make([]branch, len(c.Fields))
		for fi, f := range c.Fields {
			idx := -1
			for i, m := range types {
				if !isNull(m) && d.unionMemberName(m) == f.Name {
					idx = i
					break
				}
			}
			if idx < 0 {
				return nil, schemas.DataErrorf("union field %s has no branch in Avro union %s", f.Name, u.String())
			}
			enc, err := d.compileRequired(deref(types[idx]), nonOptional(f.Schema))
			if err != nil {
				return nil, err
			}
			branches[fi] = branch{idx, enc}
		}
		return func(w *avro.Writer, v any) error {
			if v == nil || isNilValue(v) {
				return writeNull(w)
			}
			st, ok := v.(*schemas.Struct)
			if !ok {
				return invalidType(c, v)
			}
			for fi, f := range c.Fields {
				if fv := st.Get(f.Name); fv != nil && !isNilValue(fv) {
					w.WriteLong(int64(branches[fi].idx))
					return branches[fi].enc(w, fv)
				}
			}
			return writeNull(w)
		}, nil
	}
	idx := d.pickBranch(types, c)
	if idx < 0 {
		return nil, schemas.DataErrorf("no branch of Avro union %s fits Connect schema %v", u.String(), c)
	}
	enc, err := d.compileRequired(deref(types[idx]), c)
	if err != nil {
		return nil, err
	}
	return func(w *avro.Writer, v any) error {
		if v == nil || isNilValue(v) {
			if c.Default != nil && !(c.Optional && d.cfg.IgnoreDefaultForNullables) {
				v = c.Default
			} else {
				if !c.Optional {
					return schemas.DataErrorf("Found null value for non-optional schema")
				}
				return writeNull(w)
			}
		}
		w.WriteLong(int64(idx))
		return enc(w, v)
	}, nil
}

// pickBranch finds the union branch a Connect schema writes to: a named
// type of the same name first, then the first branch of a fitting kind.
func (d *Data) pickBranch(types avro.Schemas, c *schemas.Schema) int {
	if c.Name != "" {
		for i, m := range types {
			if n, ok := deref(m).(avro.NamedSchema); ok && n.FullName() == c.Name {
				return i
			}
		}
	}
	for i, m := range types {
		if !isNull(m) && fits(deref(m), c) {
			return i
		}
	}
	return -1
}

// fits reports whether values of c can be written as Avro type a.
func fits(a avro.Schema, c *schemas.Schema) bool {
	switch a.Type() {
	case avro.Record:
		return c.Type == schemas.TypeStruct
	case avro.Enum, avro.String:
		return c.Type == schemas.TypeString
	case avro.Fixed, avro.Bytes:
		return c.Type == schemas.TypeBytes
	case avro.Int:
		return c.Type == schemas.TypeInt8 || c.Type == schemas.TypeInt16 || c.Type == schemas.TypeInt32
	case avro.Long:
		return c.Type == schemas.TypeInt64 || c.Type == schemas.TypeInt32 && c.Name == ""
	case avro.Float:
		return c.Type == schemas.TypeFloat32
	case avro.Double:
		return c.Type == schemas.TypeFloat64 || c.Type == schemas.TypeFloat32
	case avro.Boolean:
		return c.Type == schemas.TypeBoolean
	case avro.Array:
		if c.Type == schemas.TypeMap {
			return isMapEntry(a.(*avro.ArraySchema).Items())
		}
		return c.Type == schemas.TypeArray
	case avro.Map:
		return c.Type == schemas.TypeMap && c.Key.Type == schemas.TypeString
	}
	return false
}

// compileRequired builds the encoder of a non-null value.
func (d *Data) compileRequired(a avro.Schema, c *schemas.Schema) (encodeFn, error) {
	a = deref(a)
	if !fits(a, c) {
		return nil, schemas.DataErrorf("Connect schema %v cannot be written as Avro %s", c, a.Type())
	}
	switch t := a.(type) {
	case *avro.RecordSchema:
		return d.recordEncoder(t, c)
	case *avro.EnumSchema:
		index := make(map[string]int64, len(t.Symbols()))
		for i, s := range t.Symbols() {
			index[s] = int64(i)
		}
		return func(w *avro.Writer, v any) error {
			s, ok := v.(string)
			if !ok {
				return invalidType(c, v)
			}
			i, ok := index[s]
			if !ok {
				return schemas.DataErrorf("%q is not a symbol of Avro enum %s", s, t.FullName())
			}
			w.WriteInt(int32(i))
			return nil
		}, nil
	case *avro.ArraySchema:
		if c.Type == schemas.TypeMap {
			return d.mapEntriesEncoder(t, c)
		}
		items, err := d.compileEncoder(t.Items(), c.Value)
		if err != nil {
			return nil, err
		}
		return func(w *avro.Writer, v any) error {
			l, ok := v.([]any)
			if !ok {
				return invalidType(c, v)
			}
			if len(l) > 0 {
				w.WriteLong(int64(len(l)))
				for _, e := range l {
					if err := items(w, e); err != nil {
						return err
					}
				}
			}
			w.WriteLong(0)
			return nil
		}, nil
	case *avro.MapSchema:
		values, err := d.compileEncoder(t.Values(), c.Value)
		if err != nil {
			return nil, err
		}
		return func(w *avro.Writer, v any) error {
			entries, err := mapEntries(c, v)
			if err != nil {
				return err
			}
			if len(entries) > 0 {
				w.WriteLong(int64(len(entries)))
				for _, e := range entries {
					k, ok := e.k.(string)
					if !ok {
						return schemas.DataErrorf("Avro map keys must be strings, got %T", e.k)
					}
					w.WriteString(k)
					if err := values(w, e.v); err != nil {
						return err
					}
				}
			}
			w.WriteLong(0)
			return nil
		}, nil
	case *avro.FixedSchema:
		size := t.Size()
		if c.Name == schemas.DecimalName {
			scale, err := schemas.DecimalScale(c)
			if err != nil {
				return nil, err
			}
			return func(w *avro.Writer, v any) error {
				b, err := decimalBytes(c, scale, v)
				if err != nil {
					return err
				}
				if len(b) > size {
					return schemas.DataErrorf("Unscaled value byte array length %d is greater than fixed size %d", len(b), size)
				}
				pad := byte(0)
				if len(b) > 0 && b[0]&0x80 != 0 {
					pad = 0xff
				}
				for i := len(b); i < size; i++ {
					_, _ = w.Write([]byte{pad})
				}
				_, _ = w.Write(b)
				return nil
			}, nil
		}
		return func(w *avro.Writer, v any) error {
			b, ok := v.([]byte)
			if !ok {
				return invalidType(c, v)
			}
			if len(b) != size {
				return schemas.DataErrorf("fixed %s needs %d bytes, got %d", t.FullName(), size, len(b))
			}
			_, _ = w.Write(b)
			return nil
		}, nil
	case *avro.PrimitiveSchema:
		return primitiveEncoder(t, c)
	}
	return nil, schemas.DataErrorf("Connect schema %v cannot be written as Avro %s", c, a.Type())
}

func decimalBytes(c *schemas.Schema, scale int, v any) ([]byte, error) {
	r, ok := v.(*big.Rat)
	if !ok {
		return nil, schemas.DataErrorf("Invalid type for Decimal, expected *big.Rat but was %T", v)
	}
	return schemas.DecimalToBytes(scale, r)
}

func primitiveEncoder(t *avro.PrimitiveSchema, c *schemas.Schema) (encodeFn, error) {
	switch t.Type() {
	case avro.Int:
		switch c.Name {
		case schemas.DateName:
			return func(w *avro.Writer, v any) error {
				tm, ok := v.(time.Time)
				if !ok {
					return schemas.DataErrorf("Invalid type for Date, expected time.Time but was %T", v)
				}
				days, err := schemas.DateToDays(tm)
				w.WriteInt(days)
				return err
			}, nil
		case schemas.TimeName:
			return func(w *avro.Writer, v any) error {
				tm, ok := v.(time.Time)
				if !ok {
					return schemas.DataErrorf("Invalid type for Time, expected time.Time but was %T", v)
				}
				ms, err := schemas.TimeToMillis(tm)
				w.WriteInt(ms)
				return err
			}, nil
		}
		return func(w *avro.Writer, v any) error {
			switch n := v.(type) {
			case int32:
				w.WriteInt(n)
			case int8:
				w.WriteInt(int32(n))
			case int16:
				w.WriteInt(int32(n))
			default:
				return invalidType(c, v)
			}
			return nil
		}, nil
	case avro.Long:
		if c.Name == schemas.TimestampName {
			micros := logicalName(t) == avro.TimestampMicros
			return func(w *avro.Writer, v any) error {
				tm, ok := v.(time.Time)
				if !ok {
					return schemas.DataErrorf("Invalid type for Timestamp, expected time.Time but was %T", v)
				}
				ms, err := schemas.TimestampToMillis(tm)
				if micros {
					ms *= 1000
				}
				w.WriteLong(ms)
				return err
			}, nil
		}
		return func(w *avro.Writer, v any) error {
			switch n := v.(type) {
			case int64:
				w.WriteLong(n)
			case int32:
				w.WriteLong(int64(n))
			default:
				return invalidType(c, v)
			}
			return nil
		}, nil
	case avro.Float:
		return typed(c, (*avro.Writer).WriteFloat), nil
	case avro.Double:
		return func(w *avro.Writer, v any) error {
			switch f := v.(type) {
			case float64:
				w.WriteDouble(f)
			case float32:
				w.WriteDouble(float64(f))
			default:
				return invalidType(c, v)
			}
			return nil
		}, nil
	case avro.Boolean:
		return typed(c, (*avro.Writer).WriteBool), nil
	case avro.String:
		return typed(c, (*avro.Writer).WriteString), nil
	case avro.Bytes:
		if c.Name == schemas.DecimalName {
			scale, err := schemas.DecimalScale(c)
			if err != nil {
				return nil, err
			}
			if dec, ok := logicalOf(t).(*avro.DecimalLogicalSchema); ok && dec.Scale() != scale {
				return nil, schemas.DataErrorf("Decimal scale %d does not match the Avro decimal's scale %d", scale, dec.Scale())
			}
			return func(w *avro.Writer, v any) error {
				b, err := decimalBytes(c, scale, v)
				if err != nil {
					return err
				}
				w.WriteBytes(b)
				return nil
			}, nil
		}
		return typed(c, (*avro.Writer).WriteBytes), nil
	}
	return nil, schemas.DataErrorf("Connect schema %v cannot be written as Avro %s", c, t.Type())
}

// typed is the encoder of values of Go type T, written by write.
func typed[T any](c *schemas.Schema, write func(*avro.Writer, T)) encodeFn {
	return func(w *avro.Writer, v any) error {
		x, ok := v.(T)
		if !ok {
			return invalidType(c, v)
		}
		write(w, x)
		return nil
	}
}

func (d *Data) recordEncoder(r *avro.RecordSchema, c *schemas.Schema) (encodeFn, error) {
	byName := make(map[string]int, len(c.Fields))
	for i, f := range c.Fields {
		name := f.Name
		if d.cfg.ScrubInvalidNames {
			name = scrubName(name)
		}
		byName[name] = i
	}
	type step struct {
		field int // Connect field index, or -1: write fixed bytes
		enc   encodeFn
		fixed []byte
	}
	steps := make([]step, len(r.Fields()))
	for i, f := range r.Fields() {
		if ci, ok := byName[f.Name()]; ok {
			enc, err := d.compileEncoder(f.Type(), c.Fields[ci].Schema)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", f.Name(), err)
			}
			steps[i] = step{field: ci, enc: enc}
			continue
		}
		if !f.HasDefault() {
			return nil, schemas.DataErrorf("Avro field %s of %s is not in Connect schema %v and has no default", f.Name(), r.FullName(), c)
		}
		def, err := avro.Marshal(f.Type(), f.Default())
		if err != nil {
			return nil, schemas.DataErrorf("cannot write the default of Avro field %s: %w", f.Name(), err)
		}
		steps[i] = step{field: -1, fixed: def}
	}
	return func(w *avro.Writer, v any) error {
		st, ok := v.(*schemas.Struct)
		if !ok {
			return invalidType(c, v)
		}
		if s := st.Schema(); s != c && !s.Equal(c) {
			return schemas.DataErrorf("Mismatching struct schema")
		}
		for _, s := range steps {
			if s.field < 0 {
				_, _ = w.Write(s.fixed)
				continue
			}
			fv := st.At(s.field)
			if fs := c.Fields[s.field].Schema; fv == nil && !(fs.Optional && d.cfg.IgnoreDefaultForNullables) {
				fv = fs.Default
			}
			if err := s.enc(w, fv); err != nil {
				return fmt.Errorf("field %s: %w", c.Fields[s.field].Name, err)
			}
		}
		return nil
	}, nil
}

func (d *Data) mapEntriesEncoder(a *avro.ArraySchema, c *schemas.Schema) (encodeFn, error) {
	rec := deref(a.Items()).(*avro.RecordSchema)
	encs := make([]encodeFn, len(rec.Fields()))
	isKey := make([]bool, len(rec.Fields()))
	for i, f := range rec.Fields() {
		target := c.Value
		if f.Name() == keyField {
			target, isKey[i] = c.Key, true
		}
		enc, err := d.compileEncoder(f.Type(), target)
		if err != nil {
			return nil, err
		}
		encs[i] = enc
	}
	return func(w *avro.Writer, v any) error {
		entries, err := mapEntries(c, v)
		if err != nil {
			return err
		}
		if len(entries) > 0 {
			w.WriteLong(int64(len(entries)))
			for _, e := range entries {
				for i, enc := range encs {
					x := e.v
					if isKey[i] {
						x = e.k
					}
					if err := enc(w, x); err != nil {
						return err
					}
				}
			}
		}
		w.WriteLong(0)
		return nil
	}, nil
}
