package avro

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/sluicehq/sluice/schemas"
)

// ReaderSchema is an Avro schema read from a registry or a producer, with
// the Connect schema it maps to and a compiled decoder from Avro binary to
// Connect values of that schema.
type ReaderSchema struct {
	// Avro is the parsed Avro schema.
	Avro avro.Schema
	// Connect is the Connect schema records of Avro are read as; nil for
	// Confluent's schemaless "Anything" record.
	Connect *schemas.Schema
	decode  decodeFn
}

// ToConnectSchema returns the Connect schema an Avro schema maps to, as
// Confluent's AvroData.toConnectSchema.
func (d *Data) ToConnectSchema(s avro.Schema) (*schemas.Schema, error) {
	rs, err := d.Reader(s, -1)
	if err != nil {
		return nil, err
	}
	return rs.Connect, nil
}

// Reader returns the ReaderSchema of s. version, when not negative, is the
// schema's version in the registry: the Connect schema gets it unless s
// carries connect.version.
func (d *Data) Reader(s avro.Schema, version int) (*ReaderSchema, error) {
	key := toConnectKey{s, version}
	if rs, ok := d.toConnect.Get(key); ok {
		return rs, nil
	}
	rs := &ReaderSchema{Avro: s}
	if isAnything(s) {
		rs.decode = d.anythingDecoder()
	} else {
		c := &toConnectCtx{d: d, visiting: map[string]bool{}}
		conn, err := c.schema(s, false, nil, false, version)
		if err != nil {
			return nil, err
		}
		rs.Connect = conn
		if rs.decode, err = d.compileDecoder(s, conn); err != nil {
			return nil, err
		}
	}
	d.toConnect.Add(key, rs)
	return rs, nil
}

// ToConnectData converts v, an Avro value of schema s in hamba/avro's
// generic representation (what avro.Unmarshal into an any produces, and
// avro.Marshal accepts), to Connect data.
func (d *Data) ToConnectData(s avro.Schema, v any) (*schemas.Schema, any, error) {
	rs, err := d.Reader(s, -1)
	if err != nil {
		return nil, nil, err
	}
	body, err := avro.Marshal(s, v)
	if err != nil {
		return nil, nil, schemas.DataErrorf("value does not fit Avro schema %s: %w", s.String(), err)
	}
	val, err := rs.Decode(body)
	return rs.Connect, val, err
}

type toConnectCtx struct {
	d *Data
	// visiting holds the records being converted, to refuse recursion:
	// sluice's Connect schemas are trees.
	visiting map[string]bool
}

type propSchema interface{ Prop(string) any }

func prop(s avro.Schema, name string) any {
	if p, ok := s.(propSchema); ok {
		return p.Prop(name)
	}
	return nil
}

func propString(s avro.Schema, name string) (string, bool) {
	v, ok := prop(s, name).(string)
	return v, ok
}

func logicalOf(s avro.Schema) avro.LogicalSchema {
	if l, ok := s.(avro.LogicalTypeSchema); ok {
		if ls := l.Logical(); ls != nil {
			return ls
		}
	}
	return nil
}

func logicalName(s avro.Schema) avro.LogicalType {
	if l := logicalOf(s); l != nil {
		return l.Type()
	}
	return ""
}

// deref resolves a reference to a named type already defined.
func deref(s avro.Schema) avro.Schema {
	for {
		r, ok := s.(*avro.RefSchema)
		if !ok {
			return s
		}
		s = r.Schema()
	}
}

func isAnything(s avro.Schema) bool {
	r, ok := deref(s).(*avro.RecordSchema)
	return ok && r.FullName() == AnythingName
}

// schema mirrors AvroData.toConnectSchema. fieldDefault is the Avro field's
// default when converting a record field (hasDefault says whether there is
// one); version is the registry version for the top level, else -1.
func (c *toConnectCtx) schema(s avro.Schema, forceOptional bool, fieldDefault any, hasDefault bool, version int) (*schemas.Schema, error) {
	s = deref(s)
	meta := c.d.cfg.ConnectMetaData
	var b *schemas.Builder
	switch t := s.(type) {
	case *avro.PrimitiveSchema:
		switch t.Type() {
		case avro.Boolean:
			b = schemas.NewBuilder(schemas.TypeBoolean)
		case avro.Bytes:
			var err error
			if b, err = c.bytesBuilder(s); err != nil {
				return nil, err
			}
		case avro.Double:
			b = schemas.NewBuilder(schemas.TypeFloat64)
		case avro.Float:
			b = schemas.NewBuilder(schemas.TypeFloat32)
		case avro.Int:
			ct, hasType := propString(s, propConnectType)
			switch logicalName(s) {
			case avro.Date:
				b = schemas.DateBuilder()
			case avro.TimeMillis:
				b = schemas.TimeBuilder()
			default:
				switch {
				case !hasType || logicalName(s) != "":
					b = schemas.NewBuilder(schemas.TypeInt32)
				case ct == connectTypeInt8:
					b = schemas.NewBuilder(schemas.TypeInt8)
				case ct == connectTypeInt16:
					b = schemas.NewBuilder(schemas.TypeInt16)
				default:
					return nil, schemas.DataErrorf("Connect type annotation %q for Avro int is not int8 or int16", ct)
				}
			}
		case avro.Long:
			if logicalName(s) == avro.TimestampMillis {
				b = schemas.TimestampBuilder()
			} else {
				b = schemas.NewBuilder(schemas.TypeInt64)
			}
		case avro.String:
			b = schemas.NewBuilder(schemas.TypeString)
		default:
			return nil, schemas.DataErrorf("Couldn't translate unsupported schema type %s.", t.Type())
		}
	case *avro.NullSchema:
		return nil, schemas.DataErrorf("Standalone null schemas are not supported by this converter")
	case *avro.FixedSchema:
		var err error
		if b, err = c.bytesBuilder(s); err != nil {
			return nil, err
		}
		b.Parameter(propFixedSize, strconv.Itoa(t.Size()))
	case *avro.ArraySchema:
		items := deref(t.Items())
		if isMapEntry(items) {
			rec := items.(*avro.RecordSchema)
			kf, vf := recordField(rec, keyField), recordField(rec, valueField)
			if len(rec.Fields()) != 2 || kf == nil || vf == nil {
				return nil, schemas.DataErrorf("Found map encoded as array of key-value pairs, but array elements do not match the expected format.")
			}
			ks, err := c.schema(kf.Type(), false, nil, false, -1)
			if err != nil {
				return nil, err
			}
			vs, err := c.schema(vf.Type(), false, nil, false, -1)
			if err != nil {
				return nil, err
			}
			b = schemas.Map(ks, vs)
		} else {
			es, err := c.schema(items, false, nil, false, -1)
			if err != nil {
				return nil, err
			}
			b = schemas.Array(es)
		}
	case *avro.MapSchema:
		vs, err := c.schema(t.Values(), false, nil, false, -1)
		if err != nil {
			return nil, err
		}
		b = schemas.Map(schemas.StringSchema, vs)
	case *avro.RecordSchema:
		if c.visiting[t.FullName()] {
			return nil, schemas.DataErrorf("Avro record %s refers to itself; sluice cannot map recursive schemas to Connect schemas", t.FullName())
		}
		c.visiting[t.FullName()] = true
		defer delete(c.visiting, t.FullName())
		b = schemas.NewBuilder(schemas.TypeStruct)
		if meta && t.Doc() != "" {
			b.Parameter(paramRecordDoc, t.Doc())
		}
		for _, f := range t.Fields() {
			if meta && f.Doc() != "" {
				b.Parameter(paramFieldDocPrefx+f.Name(), f.Doc())
			}
			fs, err := c.schema(f.Type(), false, f.Default(), f.HasDefault(), -1)
			if err != nil {
				return nil, fmt.Errorf("field %s of %s: %w", f.Name(), t.FullName(), err)
			}
			if params, ok := f.Prop(propConnectParameters).(map[string]any); ok && meta {
				if fs, err = withFieldParams(fs, params); err != nil {
					return nil, err
				}
			}
			b.Field(f.Name(), fs)
		}
	case *avro.EnumSchema:
		b = schemas.NewBuilder(schemas.TypeString)
		if meta {
			if t.Doc() != "" {
				b.Parameter(paramEnumDocPrefix+t.Name(), t.Doc())
			}
			if t.HasDefault() {
				b.Parameter(paramEnumDefPrefix+t.Name(), t.Default())
			}
		}
		b.Parameter(ParamEnum, t.FullName())
		for _, sym := range t.Symbols() {
			b.Parameter(ParamEnum+"."+sym, sym)
		}
	case *avro.UnionSchema:
		types := t.Types()
		if len(types) == 1 && c.d.cfg.FlattenSingletonUnions {
			return c.schema(types[0], false, nil, false, -1)
		}
		if len(types) == 2 {
			if _, ok := types[0].(*avro.NullSchema); ok {
				return c.schema(types[1], true, nil, false, -1)
			}
			if _, ok := types[1].(*avro.NullSchema); ok {
				return c.schema(types[0], true, nil, false, -1)
			}
		}
		b = schemas.NewBuilder(schemas.TypeStruct).Name(UnionName)
		seen := map[string]bool{}
		for _, m := range types {
			if _, ok := m.(*avro.NullSchema); ok {
				b.Optional()
				continue
			}
			name := c.d.unionMemberName(m)
			if seen[name] {
				return nil, schemas.DataErrorf("Multiple union schemas map to the Connect union field name")
			}
			seen[name] = true
			ms, err := c.schema(m, true, nil, false, -1)
			if err != nil {
				return nil, err
			}
			b.Field(name, ms)
		}
	default:
		return nil, schemas.DataErrorf("Couldn't translate unsupported schema type %s.", s.Type())
	}

	if doc, ok := propString(s, propConnectDoc); ok && meta {
		b.Doc(doc)
	}
	if v := prop(s, propConnectVersion); v != nil {
		n, ok := jsonInt(v)
		if !ok {
			return nil, schemas.DataErrorf("Invalid Connect version found: %v", v)
		}
		version = int(n)
	}
	if version >= 0 {
		b.Version(version)
	}
	if params := prop(s, propConnectParameters); params != nil && meta {
		m, ok := params.(map[string]any)
		if !ok {
			return nil, schemas.DataErrorf("Expected JSON object for schema parameters but found: %v", params)
		}
		for _, k := range sortedKeys(m) {
			str, ok := m[k].(string)
			if !ok {
				return nil, schemas.DataErrorf("Expected schema parameter values to be strings but found: %v", m[k])
			}
			b.Parameter(k, str)
		}
	}
	if ps, ok := s.(interface{ Props() map[string]any }); ok {
		for _, k := range sortedKeys(ps.Props()) {
			if strings.HasPrefix(k, "avro") {
				b.Parameter(k, fmt.Sprint(ps.Props()[k]))
			}
		}
	}
	connectDefault := prop(s, propConnectDefault)
	var def any
	haveDef := false
	if hasDefault {
		def, haveDef = fieldDefault, true
		if meta && connectDefault == nil {
			b.Parameter(paramFieldDefault, "true")
		}
	} else if connectDefault != nil {
		def, haveDef = connectDefault, true
	}

	name, _ := propString(s, propConnectName)
	if name == "" {
		switch t := s.(type) {
		case *avro.RecordSchema:
			name = t.FullName()
		case *avro.EnumSchema:
			name = t.FullName()
		case *avro.FixedSchema:
			if logicalName(s) != avro.Decimal {
				name = t.FullName()
			}
		}
	}
	built, err := b.Build()
	if err != nil {
		return nil, err
	}
	if name != "" && !strings.HasPrefix(name, defaultSchemaFullName) {
		if built.Name != "" && built.Name != name {
			return nil, schemas.DataErrorf("Mismatched names: name already added to SchemaBuilder (%s) differs from name in source schema (%s)", built.Name, name)
		}
		built.Name = name
	}
	if forceOptional {
		built.Optional = true
	}
	if haveDef && def != nil {
		// An invalid default is ignored, as Kafka Connect's AvroData does
		// (it logs a warning).
		if v, err := defaultFromAvro(built, s, def); err == nil && v != nil && built.Validate(v) == nil {
			built.Default = v
		}
	}
	return built, nil
}

func (c *toConnectCtx) bytesBuilder(s avro.Schema) (*schemas.Builder, error) {
	if dec, ok := logicalOf(s).(*avro.DecimalLogicalSchema); ok {
		b := schemas.DecimalBuilder(dec.Scale())
		if dec.Precision() != defaultDecimalPrecision {
			b.Parameter(ParamDecimalPrecision, strconv.Itoa(dec.Precision()))
		}
		return b, nil
	}
	return schemas.NewBuilder(schemas.TypeBytes), nil
}

// withFieldParams applies a field's connect.parameters (written when a named
// type is reused with other parameters) over its type's.
func withFieldParams(s *schemas.Schema, params map[string]any) (*schemas.Schema, error) {
	same := true
	for k, v := range params {
		if fmt.Sprint(v) != s.Parameters[k] {
			same = false
			break
		}
	}
	if same {
		return s, nil
	}
	cp := *s
	cp.Parameters = make(map[string]string, len(s.Parameters)+len(params))
	for k, v := range s.Parameters {
		cp.Parameters[k] = v
	}
	for k, v := range params {
		cp.Parameters[k] = fmt.Sprint(v)
	}
	return &cp, nil
}

func recordField(r *avro.RecordSchema, name string) *avro.Field {
	for _, f := range r.Fields() {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// isMapEntry reports whether an array's element type is the record
// Confluent writes a map with non-string keys as.
func isMapEntry(s avro.Schema) bool {
	r, ok := deref(s).(*avro.RecordSchema)
	if !ok {
		return false
	}
	if r.Namespace() == Namespace && r.Name() == mapEntryTypeName {
		return true
	}
	v, _ := r.Prop(propInternalType).(string)
	return v == mapEntryTypeName
}

// unionMemberName names the Connect union field of an Avro union branch.
func (d *Data) unionMemberName(s avro.Schema) string {
	s = deref(s)
	if n, ok := s.(avro.NamedSchema); ok {
		if d.cfg.EnhancedSchemaSupport {
			return n.FullName()
		}
		return n.Name()
	}
	return string(s.Type())
}

func jsonInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) {
			return int64(n), true
		}
	}
	return 0, false
}

func jsonFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// defaultFromAvro converts a default, either an Avro field default as
// hamba/avro parsed it or the JSON of a connect.default property, to a
// Connect value of schema c.
func defaultFromAvro(c *schemas.Schema, a avro.Schema, v any) (any, error) {
	a = deref(a)
	if v == nil {
		return nil, nil
	}
	if u, ok := a.(*avro.UnionSchema); ok {
		// A union's default is a value of its first branch.
		first := deref(u.Types()[0])
		if _, ok := first.(*avro.NullSchema); ok {
			return nil, nil
		}
		if c.Name == UnionName {
			f, ok := c.Field(unionNameFor(c, first))
			if !ok {
				return nil, schemas.DataErrorf("no union field for default")
			}
			inner, err := defaultFromAvro(f.Schema, first, v)
			if err != nil || inner == nil {
				return nil, err
			}
			st := schemas.NewStruct(c)
			return st, st.PutAt(f.Index, inner)
		}
		return defaultFromAvro(c, first, v)
	}
	switch c.Type {
	case schemas.TypeInt8, schemas.TypeInt16, schemas.TypeInt32, schemas.TypeInt64:
		n, ok := jsonInt(v)
		if !ok {
			if t, isTime := v.(time.Time); isTime {
				return t.UTC(), nil
			}
			if d, isDur := v.(time.Duration); isDur && c.Name == schemas.TimeName {
				return time.UnixMilli(d.Milliseconds()).UTC(), nil
			}
			return nil, schemas.DataErrorf("invalid default %v for %v", v, c.Type)
		}
		switch c.Name {
		case schemas.DateName:
			return schemas.DateFromDays(int32(n)), nil
		case schemas.TimeName:
			return schemas.TimeFromMillis(int32(n))
		case schemas.TimestampName:
			return schemas.TimestampFromMillis(n), nil
		}
		switch c.Type {
		case schemas.TypeInt8:
			return int8(n), nil
		case schemas.TypeInt16:
			return int16(n), nil
		case schemas.TypeInt32:
			return int32(n), nil
		}
		return n, nil
	case schemas.TypeFloat32:
		f, ok := jsonFloat(v)
		if !ok {
			return nil, schemas.DataErrorf("invalid default %v for FLOAT32", v)
		}
		return float32(f), nil
	case schemas.TypeFloat64:
		f, ok := jsonFloat(v)
		if !ok {
			return nil, schemas.DataErrorf("invalid default %v for FLOAT64", v)
		}
		return f, nil
	case schemas.TypeBoolean:
		bv, ok := v.(bool)
		if !ok {
			return nil, schemas.DataErrorf("invalid default %v for BOOLEAN", v)
		}
		return bv, nil
	case schemas.TypeString:
		s, ok := v.(string)
		if !ok {
			return nil, schemas.DataErrorf("invalid default %v for STRING", v)
		}
		return s, nil
	case schemas.TypeBytes:
		var raw []byte
		switch x := v.(type) {
		case string:
			raw = latin1Bytes(x)
		case []byte:
			raw = x
		case *big.Rat:
			return x, nil
		default:
			if b := arrayBytes(v); b != nil {
				raw = b
			} else {
				return nil, schemas.DataErrorf("invalid default %v for BYTES", v)
			}
		}
		if c.Name == schemas.DecimalName {
			scale, err := schemas.DecimalScale(c)
			if err != nil {
				return nil, err
			}
			return schemas.DecimalFromBytes(scale, raw)
		}
		return raw, nil
	case schemas.TypeArray:
		arr, ok := v.([]any)
		if !ok {
			return nil, schemas.DataErrorf("Invalid JSON for array default value")
		}
		var items avro.Schema
		if as, ok := a.(*avro.ArraySchema); ok {
			items = as.Items()
		} else {
			return nil, schemas.DataErrorf("Invalid JSON for array default value")
		}
		out := make([]any, len(arr))
		for i, e := range arr {
			x, err := defaultFromAvro(c.Value, items, e)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case schemas.TypeMap:
		ms, ok := a.(*avro.MapSchema)
		m, isMap := v.(map[string]any)
		if !ok || !isMap {
			return nil, schemas.DataErrorf("Invalid JSON for map default value")
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			x, err := defaultFromAvro(c.Value, ms.Values(), e)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	case schemas.TypeStruct:
		rs, ok := a.(*avro.RecordSchema)
		m, isMap := v.(map[string]any)
		if !ok || !isMap {
			return nil, schemas.DataErrorf("Invalid JSON for record default value")
		}
		st := schemas.NewStruct(c)
		for i, f := range rs.Fields() {
			if i >= len(c.Fields) {
				break
			}
			x, err := defaultFromAvro(c.Fields[i].Schema, f.Type(), m[f.Name()])
			if err != nil {
				return nil, err
			}
			if err := st.PutAt(i, x); err != nil {
				return nil, err
			}
		}
		return st, nil
	}
	return nil, schemas.DataErrorf("unsupported default for %v", c.Type)
}

func unionNameFor(c *schemas.Schema, branch avro.Schema) string {
	if n, ok := branch.(avro.NamedSchema); ok {
		if _, ok := c.Field(n.FullName()); ok {
			return n.FullName()
		}
		return n.Name()
	}
	return string(branch.Type())
}

// latin1Bytes maps each code point 0-255 of an Avro JSON bytes default to
// one byte, as the Avro specification says.
func latin1Bytes(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = append(out, byte(r))
	}
	return out
}
