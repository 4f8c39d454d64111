package avro

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/sluicehq/sluice/schemas"
)

// WriterSchema is the Avro side of a Connect schema: the Avro schema text
// sluice registers, the parsed schema, and a compiled encoder from Connect
// values to Avro binary.
type WriterSchema struct {
	// JSON is the Avro schema, as Confluent's AvroData writes it.
	JSON string
	// Avro is JSON parsed.
	Avro avro.Schema
	// Connect is the Connect schema; nil for schemaless data.
	Connect *schemas.Schema
	encode  encodeFn
}

// FromConnectSchema returns the Avro schema a Connect schema maps to, as
// Confluent's AvroData.fromConnectSchema; nil stands for schemaless data
// and gives Confluent's io.confluent.connect.avro.Anything record.
func (d *Data) FromConnectSchema(c *schemas.Schema) (*WriterSchema, error) {
	if c == nil {
		return d.anythingWriter()
	}
	if ws, ok := d.fromConnect.Get(c); ok {
		return ws, nil
	}
	ctx := &fromCtx{d: d, named: map[string]*obj{}, seenNames: map[string]bool{}}
	node, err := ctx.schema(c, false)
	if err != nil {
		return nil, err
	}
	text := string(appendJSON(nil, node))
	parsed, err := parseSchema(text)
	if err != nil {
		return nil, schemas.DataErrorf("the Avro schema made from %v is not valid: %w", c, err)
	}
	ws := &WriterSchema{JSON: text, Avro: parsed, Connect: c}
	if ws.encode, err = d.compileEncoder(parsed, c); err != nil {
		return nil, err
	}
	d.fromConnect.Add(c, ws)
	return ws, nil
}

// parseSchema parses an Avro schema into a cache of its own: hamba/avro's
// global cache would let schemas of different versions that share a name
// overwrite each other.
func parseSchema(text string) (avro.Schema, error) {
	return avro.ParseWithCache(text, "", &avro.SchemaCache{})
}

type fromCtx struct {
	d *Data
	// reuse maps Connect schemas already converted (required ones) to their
	// Avro node, as AvroData's schemaMap: a named type used twice is written
	// once, then referred to by name.
	reuse []reuseEntry
	// named holds the named types written so far, by full name.
	named map[string]*obj
	// seenNames are the Connect schema names of fields seen so far.
	seenNames map[string]bool
	// space is the namespace of the record being written, which names
	// inside it are written relative to (as Java's Avro does).
	space        string
	defaultIndex int
}

type reuseEntry struct {
	c    *schemas.Schema
	node any
}

func (x *fromCtx) lookup(c *schemas.Schema) (any, bool) {
	for _, e := range x.reuse {
		if e.c == c || e.c.Equal(c) {
			return e.node, true
		}
	}
	return nil, false
}

// ref returns how a reference to an already written node is written: its
// name when it is a named type, else the node itself again.
func (x *fromCtx) ref(node any) any {
	o, ok := node.(*obj)
	if !ok {
		return node
	}
	t, _ := o.get("type")
	switch t {
	case "record", "enum", "fixed":
		return x.qualified(fullNameOf(o))
	}
	return node
}

func fullNameOf(o *obj) string {
	n, _ := o.get("name")
	ns, _ := o.get("namespace")
	name, _ := n.(string)
	space, _ := ns.(string)
	if space == "" {
		if s, ok := o.get("\x00space"); ok {
			space, _ = s.(string)
		}
	}
	if space == "" {
		return name
	}
	return space + "." + name
}

func (x *fromCtx) qualified(full string) string {
	if i := strings.LastIndexByte(full, '.'); i >= 0 && full[:i] == x.space {
		return full[i+1:]
	}
	return full
}

func (x *fromCtx) nameOrDefault(name string) (space, short string) {
	if name != "" {
		return x.splitName(name)
	}
	x.defaultIndex++
	short = DefaultSchemaName
	if x.defaultIndex > 1 {
		short += strconv.Itoa(x.defaultIndex)
	}
	return Namespace, short
}

func (x *fromCtx) splitName(full string) (space, short string) {
	parts := strings.Split(full, ".")
	for i := range parts {
		parts[i] = x.scrub(parts[i])
	}
	if len(parts) <= 1 {
		return "", parts[0]
	}
	return strings.Join(parts[:len(parts)-1], "."), parts[len(parts)-1]
}

func (x *fromCtx) scrub(name string) string {
	if !x.d.cfg.ScrubInvalidNames {
		return name
	}
	return scrubName(name)
}

// scrubName replaces what an Avro name cannot hold, as AvroData.doScrubName:
// URL-encode, prefix "x" before a leading digit, then '_' for the rest.
func scrubName(name string) string {
	if name == "" {
		return name
	}
	ok := name[0] < '0' || name[0] > '9'
	for i := 0; i < len(name) && ok; i++ {
		ok = isNameChar(name[i])
	}
	if ok {
		return name
	}
	enc := []byte(url.QueryEscape(name))
	if enc[0] >= '0' && enc[0] <= '9' {
		enc = append([]byte{'x'}, enc...)
	}
	for i, ch := range enc {
		if !isNameChar(ch) {
			enc[i] = '_'
		}
	}
	return string(enc)
}

func isNameChar(ch byte) bool {
	return ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '_'
}

func isUnionSchema(c *schemas.Schema) bool {
	return c != nil && c.Type == schemas.TypeStruct && c.Name == UnionName
}

func isEnumSchema(c *schemas.Schema) bool {
	if c == nil || c.Type != schemas.TypeString {
		return false
	}
	_, ok := c.Parameters[ParamEnum]
	return ok
}

func isFixedSchema(c *schemas.Schema) bool {
	if c == nil || c.Type != schemas.TypeBytes || c.Name == "" {
		return false
	}
	_, ok := c.Parameters[propFixedSize]
	return ok
}

// nonOptional returns c made required, keeping everything else (as
// AvroData.nonOptional).
func nonOptional(c *schemas.Schema) *schemas.Schema {
	if !c.Optional {
		return c
	}
	cp := *c
	cp.Optional = false
	return &cp
}

// schema mirrors AvroData.fromConnectSchema; the result is an Avro schema
// as a JSON tree (a type name string or an *obj).
func (x *fromCtx) schema(c *schemas.Schema, ignoreOptional bool) (any, error) {
	if !isUnionSchema(c) && !c.Optional {
		if node, ok := x.lookup(c); ok {
			return x.ref(node), nil
		}
	}
	meta := x.d.cfg.ConnectMetaData
	var base any // a type name, or an *obj
	var props *obj
	connectType := ""
	isUnion := false
	named := false
	prim := func(t string) { base = t }
	switch c.Type {
	case schemas.TypeInt8:
		connectType = connectTypeInt8
		prim("int")
	case schemas.TypeInt16:
		connectType = connectTypeInt16
		prim("int")
	case schemas.TypeInt32:
		prim("int")
	case schemas.TypeInt64:
		prim("long")
	case schemas.TypeFloat32:
		prim("float")
	case schemas.TypeFloat64:
		prim("double")
	case schemas.TypeBoolean:
		prim("boolean")
	case schemas.TypeString:
		if x.d.cfg.EnhancedSchemaSupport && isEnumSchema(c) {
			enumName := c.Parameters[ParamEnum]
			_, short := x.nameOrDefault(c.Name)
			var symbols []any
			for _, k := range c.ParameterNames() {
				if strings.HasPrefix(k, ParamEnum+".") {
					symbols = append(symbols, k[len(ParamEnum)+1:])
				}
			}
			space, sname := splitPlain(enumName)
			o := &obj{}
			o.set("type", "enum").set("name", sname)
			x.writeNamespace(o, space)
			if doc := c.Parameters[paramEnumDocPrefix+short]; doc != "" {
				o.set("doc", doc)
			}
			o.set("symbols", symbols)
			if def, ok := c.Parameters[paramEnumDefPrefix+short]; ok {
				o.set("default", def)
			}
			x.named[joinName(space, sname)] = o
			base, named = o, true
		} else {
			prim("string")
		}
	case schemas.TypeBytes:
		if isFixedSchema(c) {
			space, short := x.nameOrDefault(c.Name)
			size, err := strconv.Atoi(c.Parameters[propFixedSize])
			if err != nil {
				return nil, schemas.DataErrorf("invalid %s parameter %q", propFixedSize, c.Parameters[propFixedSize])
			}
			o := &obj{}
			o.set("type", "fixed").set("name", short)
			x.writeNamespace(o, space)
			o.set("size", size)
			x.named[joinName(space, short)] = o
			base, named = o, true
		} else {
			prim("bytes")
		}
		if c.Name == schemas.DecimalName {
			scale, err := schemas.DecimalScale(c)
			if err != nil {
				return nil, err
			}
			props = x.propsOf(&base)
			props.set("scale", scale)
			precision := defaultDecimalPrecision
			if p, ok := c.Parameters[ParamDecimalPrecision]; ok {
				if precision, err = strconv.Atoi(p); err != nil {
					return nil, schemas.DataErrorf("invalid %s parameter %q", ParamDecimalPrecision, p)
				}
			}
			props.set("precision", precision)
		}
	case schemas.TypeArray:
		items, err := x.schema(c.Value, false)
		if err != nil {
			return nil, err
		}
		base = (&obj{}).set("type", "array").set("items", items)
	case schemas.TypeMap:
		if c.Key.Type == schemas.TypeString && (!c.Key.Optional || x.d.cfg.AllowOptionalMapKeys) {
			values, err := x.schema(c.Value, false)
			if err != nil {
				return nil, err
			}
			base = (&obj{}).set("type", "map").set("values", values)
		} else {
			entry := &obj{}
			var space, short string
			if c.Name == "" {
				space, short = Namespace, mapEntryTypeName
			} else {
				space, short = x.nameOrDefault(c.Name)
			}
			entry.set("type", "record").set("name", short)
			x.writeNamespace(entry, space)
			saved := x.space
			x.space = space
			fields, err := x.fields([]string{keyField, valueField}, []*schemas.Schema{c.Key, c.Value}, nil)
			x.space = saved
			if err != nil {
				return nil, err
			}
			entry.set("fields", fields)
			if c.Name != "" {
				entry.set(propInternalType, mapEntryTypeName)
			}
			x.named[joinName(space, short)] = entry
			base = (&obj{}).set("type", "array").set("items", entry)
		}
	case schemas.TypeStruct:
		switch {
		case isUnionSchema(c):
			var branches []any
			if c.Optional {
				branches = append(branches, "null")
			}
			for _, f := range c.Fields {
				b, err := x.schema(nonOptional(f.Schema), true)
				if err != nil {
					return nil, err
				}
				branches = append(branches, b)
			}
			base, isUnion = branches, true
		case c.Optional:
			inner, err := x.schema(nonOptional(c), false)
			if err != nil {
				return nil, err
			}
			base, isUnion = []any{"null", inner}, true
		default:
			space, short := x.nameOrDefault(c.Name)
			o := &obj{}
			o.set("type", "record").set("name", short)
			x.writeNamespace(o, space)
			if doc := c.Parameters[paramRecordDoc]; doc != "" {
				o.set("doc", doc)
			}
			x.named[joinName(space, short)] = o
			x.reuse = append(x.reuse, reuseEntry{c, o})
			saved := x.space
			x.space = space
			names := make([]string, len(c.Fields))
			fieldSchemas := make([]*schemas.Schema, len(c.Fields))
			docs := make([]string, len(c.Fields))
			for i, f := range c.Fields {
				names[i] = x.scrub(f.Name)
				fieldSchemas[i] = f.Schema
				docs[i] = c.Parameters[paramFieldDocPrefx+f.Name]
			}
			fields, err := x.fields(names, fieldSchemas, docs)
			x.space = saved
			if err != nil {
				return nil, err
			}
			o.set("fields", fields)
			base, named = o, true
		}
	default:
		return nil, schemas.DataErrorf("Unknown schema type: %v", c.Type)
	}
	_ = named

	final := base
	if !isUnion {
		if meta {
			if c.Doc != "" {
				x.propsOf(&base).set(propConnectDoc, c.Doc)
			}
			if c.Version != nil {
				x.propsOf(&base).set(propConnectVersion, *c.Version)
			}
			if len(c.Parameters) > 0 {
				params := &obj{}
				for _, k := range c.ParameterNames() {
					if k != paramFieldDefault {
						params.set(k, c.Parameters[k])
					}
				}
				if len(params.keys) > 0 {
					x.propsOf(&base).set(propConnectParameters, params)
				}
			}
			if c.Default != nil {
				if _, flagged := c.Parameters[paramFieldDefault]; !flagged {
					def, err := x.defaultJSON(c, c.Default)
					if err != nil {
						return nil, err
					}
					x.propsOf(&base).set(propConnectDefault, def)
				}
			}
			if c.Name != "" {
				x.propsOf(&base).set(propConnectName, c.Name)
			}
			if connectType != "" {
				x.propsOf(&base).set(propConnectType, connectType)
			}
		}
		switch c.Name {
		case schemas.DecimalName:
			x.propsOf(&base).set("logicalType", "decimal")
		case schemas.TimeName:
			x.propsOf(&base).set("logicalType", "time-millis")
		case schemas.TimestampName:
			x.propsOf(&base).set("logicalType", "timestamp-millis")
		case schemas.DateName:
			x.propsOf(&base).set("logicalType", "date")
		}
		for _, k := range c.ParameterNames() {
			if strings.HasPrefix(k, "avro") {
				x.propsOf(&base).set(k, c.Parameters[k])
			}
		}
		final = base
		if !ignoreOptional && c.Optional {
			if c.Default != nil {
				final = []any{base, "null"}
			} else {
				final = []any{"null", base}
			}
		}
	}
	if !c.Optional {
		x.reuse = append(x.reuse, reuseEntry{c, final})
	}
	return final, nil
}

// propsOf returns the object properties go into, turning a primitive type
// name into {"type": name} first.
func (x *fromCtx) propsOf(base *any) *obj {
	if o, ok := (*base).(*obj); ok {
		return o
	}
	o := (&obj{}).set("type", *base)
	*base = o
	return o
}

// writeNamespace writes a named type's namespace as Java's Avro does: only
// when it differs from the enclosing record's. The full namespace is kept
// under a hidden key for fullNameOf.
func (x *fromCtx) writeNamespace(o *obj, space string) {
	if space != x.space {
		o.set("namespace", space)
	}
	o.set("\x00space", space)
}

func splitPlain(full string) (space, short string) {
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		return full[:i], full[i+1:]
	}
	return "", full
}

func joinName(space, short string) string {
	if space == "" {
		return short
	}
	return space + "." + short
}

// fields writes record fields as AvroData.addAvroRecordField.
func (x *fromCtx) fields(names []string, fieldSchemas []*schemas.Schema, docs []string) ([]any, error) {
	out := make([]any, 0, len(names))
	for i, fs := range fieldSchemas {
		alreadySeen := false
		if fs.Name != "" {
			full := fs.Name
			if x.d.cfg.ScrubInvalidNames {
				space, short := x.splitName(full)
				full = joinName(space, short)
			}
			alreadySeen = x.seenNames[full]
			x.seenNames[full] = true
		}
		typ, err := x.schema(fs, false)
		if err != nil {
			return nil, err
		}
		f := (&obj{}).set("name", names[i]).set("type", typ)
		if docs != nil && docs[i] != "" {
			f.set("doc", docs[i])
		}
		var def any
		hasDef := false
		if fs.Default != nil {
			if def, err = x.defaultJSON(fs, fs.Default); err != nil {
				return nil, err
			}
			hasDef = true
		} else if fs.Optional {
			def, hasDef = nil, true
		}
		// Avro checks a default against the field's type (a union's first
		// branch); AvroData drops an invalid one, with a warning.
		if hasDef && x.validDefault(typ, def) {
			f.set("default", def)
		}
		if x.d.cfg.ConnectMetaData && alreadySeen && len(fs.Parameters) > 0 && x.isNamed(typ) {
			params := &obj{}
			for _, k := range fs.ParameterNames() {
				if k != paramFieldDefault {
					params.set(k, fs.Parameters[k])
				}
			}
			if len(params.keys) > 0 {
				f.set(propConnectParameters, params)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

func (x *fromCtx) resolve(node any) any {
	if s, ok := node.(string); ok {
		full := s
		if !strings.Contains(s, ".") && x.space != "" {
			if o, ok := x.named[x.space+"."+s]; ok {
				return o
			}
		}
		if o, ok := x.named[full]; ok {
			return o
		}
	}
	return node
}

func (x *fromCtx) isNamed(node any) bool {
	switch n := x.resolve(node).(type) {
	case *obj:
		t, _ := n.get("type")
		return t == "record" || t == "enum" || t == "fixed"
	case []any:
		for _, b := range n {
			if x.isNamed(b) {
				return true
			}
		}
	}
	return false
}

// validDefault reports whether def is a valid Avro default of the schema
// node, as Java's Avro checks it.
func (x *fromCtx) validDefault(node any, def any) bool {
	node = x.resolve(node)
	switch n := node.(type) {
	case []any:
		return len(n) > 0 && x.validDefault(n[0], def)
	case string:
		return validPrimitiveDefault(n, def)
	case *obj:
		t, _ := n.get("type")
		switch t {
		case "record":
			m, ok := def.(*obj)
			if !ok {
				return false
			}
			fields, _ := n.get("fields")
			fl, _ := fields.([]any)
			for _, f := range fl {
				fo := f.(*obj)
				name, _ := fo.get("name")
				typ, _ := fo.get("type")
				v, present := m.get(name.(string))
				if !present {
					if _, has := fo.get("default"); has {
						continue
					}
					return false
				}
				if !x.validDefault(typ, v) {
					return false
				}
			}
			return true
		case "enum":
			s, ok := def.(string)
			if !ok {
				return false
			}
			syms, _ := n.get("symbols")
			for _, sym := range syms.([]any) {
				if sym == s {
					return true
				}
			}
			return false
		case "fixed":
			_, ok := def.(string)
			return ok
		case "array":
			l, ok := def.([]any)
			if !ok {
				return false
			}
			items, _ := n.get("items")
			for _, e := range l {
				if !x.validDefault(items, e) {
					return false
				}
			}
			return true
		case "map":
			m, ok := def.(*obj)
			if !ok {
				return false
			}
			values, _ := n.get("values")
			for _, v := range m.vals {
				if !x.validDefault(values, v) {
					return false
				}
			}
			return true
		default:
			ts, _ := t.(string)
			return validPrimitiveDefault(ts, def)
		}
	}
	return false
}

func validPrimitiveDefault(t string, def any) bool {
	switch t {
	case "null":
		return def == nil
	case "boolean":
		_, ok := def.(bool)
		return ok
	case "int", "long":
		switch def.(type) {
		case int, int64:
			return true
		}
		return false
	case "float", "double":
		switch def.(type) {
		case int, int64, javaFloat:
			return true
		}
		return false
	case "string", "bytes":
		_, ok := def.(string)
		return ok
	}
	return false
}
