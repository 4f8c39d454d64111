package avro

import (
	"math/big"
	"math/bits"
	"sync"

	"github.com/hamba/avro/v2"

	"github.com/sluicehq/sluice/schemas"
)

// decodeFn reads one value from r.
type decodeFn func(r *reader) (any, error)

// maxFreeItems is how many collection items that take no bytes (nulls,
// empty records, zero-size fixed) one record may hold. Any other item
// takes at least a byte, so the record's size bounds how many there can
// be; a block count of items that take nothing is bounded only by this,
// or a few bytes could claim 2^62 of them.
const maxFreeItems = 1 << 16

// maxAnythingDepth bounds the nesting of schemaless arrays and maps (the
// recursive Anything record), as Jackson bounds JSON's.
const maxAnythingDepth = 1000

// reader is an avro.Reader with the limits of decoding one record.
type reader struct {
	*avro.Reader
	free  int64 // items that take no bytes the record may still hold
	depth int   // schemaless nesting
}

// takeFree counts a block of n items that take no bytes against what one
// record may hold.
func (r *reader) takeFree(n int64) error {
	if n < 0 || n > r.free {
		return schemas.DataErrorf("a block of %d items that take no bytes is more than the %d a record may hold", n, maxFreeItems)
	}
	r.free -= n
	return nil
}

// takesBytes reports whether every value of s takes at least one byte.
func takesBytes(s avro.Schema) bool {
	return takesBytesMemo(s, map[string]*bool{})
}

// takesBytesMemo is takesBytes with the answers for named records so far;
// nil marks a record being looked at, reached again only through itself.
func takesBytesMemo(s avro.Schema, memo map[string]*bool) bool {
	switch t := deref(s).(type) {
	case *avro.NullSchema:
		return false
	case *avro.FixedSchema:
		return t.Size() > 0
	case *avro.RecordSchema:
		name := t.FullName()
		if known, ok := memo[name]; ok {
			// A record that holds itself can only end in a union or a
			// collection, which take a byte.
			return known == nil || *known
		}
		memo[name] = nil
		answer := false
		for _, f := range t.Fields() {
			if takesBytesMemo(f.Type(), memo) {
				answer = true
				break
			}
		}
		memo[name] = &answer
		return answer
	}
	return true // a union's index, a length, a block count, a number
}

// enter counts one more level of schemaless nesting; the caller takes it
// off again (depth--) when the level is read.
func (r *reader) enter() error {
	if r.depth++; r.depth > maxAnythingDepth {
		return schemas.DataErrorf("schemaless arrays and maps nest more than %d deep", maxAnythingDepth)
	}
	return nil
}

// Decode reads an Avro binary body (no wire-format header) written with
// rs.Avro and returns its Connect value.
func (rs *ReaderSchema) Decode(body []byte) (any, error) {
	return rs.decodeWith(&reader{Reader: newReader(body)}, body)
}

// decodeWith is Decode with a reader already reset to body.
func (rs *ReaderSchema) decodeWith(r *reader, body []byte) (any, error) {
	r.free, r.depth = maxFreeItems, 0
	v, err := rs.decode(r)
	if err == nil && r.Error != nil {
		err = r.Error
	}
	if err != nil {
		return nil, schemas.DataErrorf("cannot read Avro data of schema %s: %w", schemaLabel(rs.Avro), err)
	}
	return v, nil
}

func schemaLabel(s avro.Schema) string {
	if n, ok := deref(s).(avro.NamedSchema); ok {
		return n.FullName()
	}
	return string(s.Type())
}

// readerAPIs holds one frozen hamba/avro configuration per power of two:
// a bytes or string length can never exceed the message it is read from,
// so the limit stops a corrupt length from allocating more than twice the
// message size.
var readerAPIs sync.Map // int → avro.API

func newReader(body []byte) *avro.Reader {
	r := avro.NewReader(nil, 0, avro.WithReaderConfig(readerAPI(readLimit(body))))
	r.Reset(body)
	return r
}

// readLimit is the bytes/string size limit for reading body.
func readLimit(body []byte) int {
	if len(body) <= 1024 {
		return 1024
	}
	return 1 << bits.Len(uint(len(body)))
}

func readerAPI(limit int) avro.API {
	api, ok := readerAPIs.Load(limit)
	if !ok {
		api, _ = readerAPIs.LoadOrStore(limit, avro.Config{MaxByteSliceSize: limit}.Freeze())
	}
	return api.(avro.API)
}

// reuseReader returns a reader reset to body, reusing *r when its limit
// fits (a converter keeps one per task: strings it returns never alias
// the input, so reuse is safe).
func reuseReader(r **avro.Reader, limit *int, body []byte) *avro.Reader {
	l := readLimit(body)
	if *r == nil || *limit != l {
		*r = avro.NewReader(nil, 0, avro.WithReaderConfig(readerAPI(l)))
		*limit = l
	}
	(*r).Error = nil
	return (*r).Reset(body)
}

// compileDecoder builds the decoder from Avro binary of a to Connect values
// of c, c being the schema the mapping gives a.
func (d *Data) compileDecoder(a avro.Schema, c *schemas.Schema) (decodeFn, error) {
	a = deref(a)
	switch t := a.(type) {
	case *avro.UnionSchema:
		return d.unionDecoder(t, c)
	case *avro.RecordSchema:
		if c.Type != schemas.TypeStruct {
			return nil, schemas.DataErrorf("record %s maps to %v", t.FullName(), c.Type)
		}
		fields := make([]decodeFn, len(t.Fields()))
		for i, f := range t.Fields() {
			fd, err := d.compileDecoder(f.Type(), c.Fields[i].Schema)
			if err != nil {
				return nil, err
			}
			fields[i] = fd
		}
		return func(r *reader) (any, error) {
			st := schemas.NewStruct(c)
			for i, fd := range fields {
				v, err := fd(r)
				if err != nil {
					return nil, err
				}
				if r.Error != nil {
					return nil, r.Error
				}
				if err := st.PutAt(i, v); err != nil {
					return nil, err
				}
			}
			return st, nil
		}, nil
	case *avro.EnumSchema:
		symbols := t.Symbols()
		return func(r *reader) (any, error) {
			i := r.ReadInt()
			if i < 0 || int(i) >= len(symbols) {
				return nil, schemas.DataErrorf("enum %s has no symbol at index %d", t.FullName(), i)
			}
			return symbols[i], nil
		}, nil
	case *avro.ArraySchema:
		if c.Type == schemas.TypeMap {
			return d.mapEntriesDecoder(t, c)
		}
		items, err := d.compileDecoder(t.Items(), c.Value)
		if err != nil {
			return nil, err
		}
		free := !takesBytes(t.Items())
		return func(r *reader) (any, error) {
			out := []any{}
			for {
				n, _ := r.ReadBlockHeader()
				if n == 0 || r.Error != nil {
					return out, r.Error
				}
				if free {
					if err := r.takeFree(n); err != nil {
						return nil, err
					}
				}
				for ; n > 0; n-- {
					v, err := items(r)
					if err != nil {
						return nil, err
					}
					if r.Error != nil {
						return nil, r.Error
					}
					out = append(out, v)
				}
			}
		}, nil
	case *avro.MapSchema:
		values, err := d.compileDecoder(t.Values(), c.Value)
		if err != nil {
			return nil, err
		}
		return func(r *reader) (any, error) {
			out := map[string]any{}
			for {
				n, _ := r.ReadBlockHeader()
				if n == 0 || r.Error != nil {
					return out, r.Error
				}
				for ; n > 0; n-- {
					k := r.ReadString()
					v, err := values(r)
					if err != nil {
						return nil, err
					}
					if r.Error != nil {
						return nil, r.Error
					}
					out[k] = v
				}
			}
		}, nil
	case *avro.FixedSchema:
		size := t.Size()
		read := func(r *reader) []byte {
			b := make([]byte, size)
			r.Read(b)
			return b
		}
		if c.Name == schemas.DecimalName {
			return decimalDecoder(c, read)
		}
		return func(r *reader) (any, error) { return read(r), nil }, nil
	case *avro.PrimitiveSchema:
		return primitiveDecoder(t, c)
	}
	return nil, schemas.DataErrorf("Couldn't translate unsupported schema type %s.", a.Type())
}

func decimalDecoder(c *schemas.Schema, read func(*reader) []byte) (decodeFn, error) {
	scale, err := schemas.DecimalScale(c)
	if err != nil {
		return nil, err
	}
	return func(r *reader) (any, error) {
		b := read(r)
		if r.Error != nil {
			return nil, r.Error
		}
		return schemas.DecimalFromBytes(scale, b)
	}, nil
}

func primitiveDecoder(t *avro.PrimitiveSchema, c *schemas.Schema) (decodeFn, error) {
	switch t.Type() {
	case avro.Boolean:
		return func(r *reader) (any, error) { return r.ReadBool(), nil }, nil
	case avro.Int:
		switch c.Name {
		case schemas.DateName:
			return func(r *reader) (any, error) { return schemas.DateFromDays(r.ReadInt()), nil }, nil
		case schemas.TimeName:
			return func(r *reader) (any, error) { return schemas.TimeFromMillis(r.ReadInt()) }, nil
		}
		switch c.Type {
		case schemas.TypeInt8:
			return func(r *reader) (any, error) {
				v := r.ReadInt()
				if int32(int8(v)) != v {
					return nil, schemas.DataErrorf("value %d out of range for INT8", v)
				}
				return int8(v), nil
			}, nil
		case schemas.TypeInt16:
			return func(r *reader) (any, error) {
				v := r.ReadInt()
				if int32(int16(v)) != v {
					return nil, schemas.DataErrorf("value %d out of range for INT16", v)
				}
				return int16(v), nil
			}, nil
		}
		return func(r *reader) (any, error) { return r.ReadInt(), nil }, nil
	case avro.Long:
		if c.Name == schemas.TimestampName {
			return func(r *reader) (any, error) { return schemas.TimestampFromMillis(r.ReadLong()), nil }, nil
		}
		return func(r *reader) (any, error) { return r.ReadLong(), nil }, nil
	case avro.Float:
		return func(r *reader) (any, error) { return r.ReadFloat(), nil }, nil
	case avro.Double:
		return func(r *reader) (any, error) { return r.ReadDouble(), nil }, nil
	case avro.String:
		return func(r *reader) (any, error) { return r.ReadString(), nil }, nil
	case avro.Bytes:
		if c.Name == schemas.DecimalName {
			return decimalDecoder(c, func(r *reader) []byte { return r.ReadBytes() })
		}
		return func(r *reader) (any, error) { return r.ReadBytes(), nil }, nil
	}
	return nil, schemas.DataErrorf("Couldn't translate unsupported schema type %s.", t.Type())
}

func (d *Data) unionDecoder(u *avro.UnionSchema, c *schemas.Schema) (decodeFn, error) {
	types := u.Types()
	branches := make([]decodeFn, len(types))
	general := c.Name == UnionName && !(len(types) == 1 && d.cfg.FlattenSingletonUnions)
	if len(types) == 2 && (isNull(types[0]) || isNull(types[1])) {
		general = false
	}
	for i, m := range types {
		if isNull(m) {
			continue
		}
		target := c
		fieldIdx := -1
		if general {
			f, ok := c.Field(d.unionMemberName(m))
			if !ok {
				return nil, schemas.DataErrorf("no Connect union field for branch %s", schemaLabel(m))
			}
			target, fieldIdx = f.Schema, f.Index
		}
		dec, err := d.compileDecoder(m, target)
		if err != nil {
			return nil, err
		}
		if fieldIdx >= 0 {
			inner, idx := dec, fieldIdx
			dec = func(r *reader) (any, error) {
				v, err := inner(r)
				if err != nil {
					return nil, err
				}
				st := schemas.NewStruct(c)
				return st, st.PutAt(idx, v)
			}
		}
		branches[i] = dec
	}
	return func(r *reader) (any, error) {
		i := r.ReadLong()
		if r.Error != nil {
			return nil, r.Error
		}
		if i < 0 || int(i) >= len(branches) {
			return nil, schemas.DataErrorf("union branch index %d out of range for %d branches", i, len(branches))
		}
		if branches[i] == nil {
			return nil, nil
		}
		return branches[i](r)
	}, nil
}

func isNull(s avro.Schema) bool {
	_, ok := deref(s).(*avro.NullSchema)
	return ok
}

// mapEntriesDecoder reads a map written as an array of key/value records.
func (d *Data) mapEntriesDecoder(a *avro.ArraySchema, c *schemas.Schema) (decodeFn, error) {
	rec := deref(a.Items()).(*avro.RecordSchema)
	type part struct {
		dec   decodeFn
		isKey bool
	}
	parts := make([]part, 0, 2)
	for _, f := range rec.Fields() {
		target, isKey := c.Value, f.Name() == keyField
		if isKey {
			target = c.Key
		}
		dec, err := d.compileDecoder(f.Type(), target)
		if err != nil {
			return nil, err
		}
		parts = append(parts, part{dec, isKey})
	}
	stringKeys := c.Key.Type == schemas.TypeString && !c.Key.Optional
	free := !takesBytes(rec)
	return func(r *reader) (any, error) {
		var sm map[string]any
		var am map[any]any
		if stringKeys {
			sm = map[string]any{}
		} else {
			am = map[any]any{}
		}
		for {
			n, _ := r.ReadBlockHeader()
			if n == 0 || r.Error != nil {
				if r.Error != nil {
					return nil, r.Error
				}
				if stringKeys {
					return sm, nil
				}
				return am, nil
			}
			if free {
				if err := r.takeFree(n); err != nil {
					return nil, err
				}
			}
			for ; n > 0; n-- {
				var k, v any
				for _, p := range parts {
					x, err := p.dec(r)
					if err != nil {
						return nil, err
					}
					if p.isKey {
						k = x
					} else {
						v = x
					}
				}
				if r.Error != nil {
					return nil, r.Error
				}
				if stringKeys {
					ks, _ := k.(string)
					sm[ks] = v
				} else {
					hk, err := hashableKey(k)
					if err != nil {
						return nil, err
					}
					am[hk] = v
				}
			}
		}
	}, nil
}

// hashableKey checks that a map key can be a Go map key: Connect allows
// any key schema, but a Go map cannot hold slices, maps or big numbers.
func hashableKey(k any) (any, error) {
	switch k.(type) {
	case []byte, []any, map[string]any, map[any]any:
		return nil, schemas.DataErrorf("map keys of type %T are not supported", k)
	case *big.Rat:
		return nil, schemas.DataErrorf("Decimal map keys are not supported")
	}
	return k, nil
}
