package json

import (
	"strconv"

	"github.com/sluicehq/sluice/schemas"
)

// jsonTypes maps JsonConverter's type names back to schema types.
var jsonTypes = func() map[string]schemas.Type {
	m := make(map[string]schemas.Type, len(jsonTypeNames))
	for t, name := range jsonTypeNames {
		m[name] = t
	}
	return m
}()

// asConnectSchema reads a JSON schema as JsonConverter.asConnectSchema
// does: "type" is required, "optional" is true only when it is the literal
// true, name/version/doc/parameters/default are optional, and unknown keys
// (such as a struct field's "field") are ignored.
func (c *Converter) asConnectSchema(n *node) (*schemas.Schema, error) {
	if n.kind == kindNull {
		return nil, nil
	}
	if n.kind != kindObject {
		return nil, schemas.DataErrorf("Schema must be a JSON object, found %v", n.kind)
	}
	typeNode := n.get("type")
	if typeNode == nil || typeNode.kind != kindString {
		return nil, schemas.DataErrorf("Schema must contain 'type' field")
	}
	var b *schemas.Builder
	switch t := jsonTypes[typeNode.str]; {
	case t.IsPrimitive():
		b = schemas.NewBuilder(t)
	case t == schemas.TypeArray:
		items := n.get("items")
		if items == nil || items.kind == kindNull {
			return nil, schemas.DataErrorf("Array schema did not specify the element type")
		}
		elem, err := c.asConnectSchema(items)
		if err != nil {
			return nil, err
		}
		b = schemas.Array(elem)
	case t == schemas.TypeMap:
		keys, values := n.get("keys"), n.get("values")
		if keys == nil || keys.kind == kindNull {
			return nil, schemas.DataErrorf("Map schema did not specify the key type")
		}
		if values == nil || values.kind == kindNull {
			return nil, schemas.DataErrorf("Map schema did not specify the value type")
		}
		k, err := c.asConnectSchema(keys)
		if err != nil {
			return nil, err
		}
		v, err := c.asConnectSchema(values)
		if err != nil {
			return nil, err
		}
		b = schemas.Map(k, v)
	case t == schemas.TypeStruct:
		b = schemas.NewBuilder(schemas.TypeStruct)
		fields := n.get("fields")
		if fields == nil || fields.kind != kindArray {
			return nil, schemas.DataErrorf(`Struct schema's "fields" argument is not an array.`)
		}
		for i := range fields.elems {
			f := &fields.elems[i]
			if f.kind != kindObject {
				return nil, schemas.DataErrorf("Struct schema's field %d is not an object", i)
			}
			name := f.get("field")
			if name == nil || name.kind != kindString {
				return nil, schemas.DataErrorf("Struct schema's field name not specified properly")
			}
			fs, err := c.asConnectSchema(f)
			if err != nil {
				return nil, schemas.DataErrorf("field %q: %w", name.str, err)
			}
			b.Field(name.str, fs)
		}
	default:
		return nil, schemas.DataErrorf("Unknown schema type: %s", typeNode.str)
	}
	if opt := n.get("optional"); opt != nil && opt.kind == kindBool && opt.b {
		b.Optional()
	}
	if name := n.get("name"); name != nil && name.kind == kindString {
		b.Name(name.str)
	}
	if v := n.get("version"); v != nil && v.kind == kindNumber && v.integral() {
		ver, err := strconv.ParseInt(v.str, 10, 32)
		if err != nil {
			return nil, schemas.DataErrorf("Schema version %s is out of range", v.str)
		}
		b.Version(int(ver))
	}
	if doc := n.get("doc"); doc != nil && doc.kind == kindString {
		b.Doc(doc.str)
	}
	if params := n.get("parameters"); params != nil && params.kind == kindObject {
		for i, k := range params.keys {
			if params.elems[i].kind != kindString {
				return nil, schemas.DataErrorf("Schema parameters must have string values.")
			}
			b.Parameter(k, params.elems[i].str)
		}
	}
	s, err := b.Build()
	if err != nil {
		return nil, err
	}
	if def := n.get("default"); def != nil {
		d, err := c.toConnect(s, def)
		if err != nil {
			return nil, schemas.DataErrorf("invalid schema default: %w", err)
		}
		if s, err = b.Default(d).Build(); err != nil {
			return nil, err
		}
	}
	return s, nil
}
