package transforms

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// ExtractNewRecordStateClass is the Java class name of Debezium's event
// flattening SMT, under which sluice registers its own.
const ExtractNewRecordStateClass = "io.debezium.transforms.ExtractNewRecordState"

// extractNewRecordState is Debezium's event flattening SMT
// (io.debezium.transforms.ExtractNewRecordState, Debezium 3.x): a change
// event, whose value schema is named "*.Envelope", becomes the row state it
// carries (its "after" struct, schema "<prefix>.<db>.<table>.Value"), so
// that a sink can write it as a plain row. Deletes and tombstones are
// handled as delete.tombstone.handling.mode says; add.fields and
// add.headers copy envelope fields (op, ts_ms, source.*, transaction.*)
// into the value or the headers. Any other record with a value (a
// heartbeat, a schema-change event, a schemaless record) passes unchanged,
// as in Debezium; a null value is a tombstone.
//
// Debezium 3.2 removed the keys drop.tombstones and delete.handling.mode
// (deprecated since 2.5) and ignores them. sluice still reads them, as
// Debezium up to 3.1 did, when delete.tombstone.handling.mode is not given:
// a configuration written for those versions keeps its meaning instead of
// silently changing from "drop the deletes" to "emit tombstones".
type extractNewRecordState struct {
	tombstones   tombstoneAction
	deletes      deleteAction
	rewrite      bool // add __deleted=false to creates and updates
	fields       []fieldReference
	headers      []fieldReference
	routeByField string

	dropFieldsHeader     string
	dropFieldsFromKey    bool
	dropFieldsKeepCompat bool

	after, before, markDeleted, markKept Transformation
	cache                                map[newValueKey]*schemas.Schema
}

type tombstoneAction int

const (
	dropTombstone tombstoneAction = iota
	keepTombstone
)

type deleteAction int

const (
	dropDelete      deleteAction = iota
	nullAfterDelete              // value null, value schema that of "after"
	tombstoneDelete              // value and value schema null
	rewriteDelete                // "before" plus __deleted=true
)

// newValueKey keys the cache of value schemas with added fields: the
// flattened value's schema and the operation (Debezium's
// NewRecordValueMetadata).
type newValueKey struct {
	schema *schemas.Schema
	op     string
}

const (
	enrsPurpose        = "source field insertion"
	enrsDeletedField   = "__deleted"
	enrsCacheSize      = 64
	enrsEnvelopeSuffix = ".Envelope"

	enrsModeKey         = "delete.tombstone.handling.mode"
	enrsDropTombKey     = "drop.tombstones"
	enrsDeleteModeKey   = "delete.handling.mode"
	enrsRouteKey        = "route.by.field"
	enrsFieldsKey       = "add.fields"
	enrsFieldsPrefixKey = "add.fields.prefix"
	enrsHdrsKey         = "add.headers"
	enrsHdrsPrefixKey   = "add.headers.prefix"
	enrsDropHeaderKey   = "drop.fields.header.name"
	enrsDropFromKeyKey  = "drop.fields.from.key"
	enrsDropCompatKey   = "drop.fields.keep.schema.compatible"
)

var enrsModes = []string{"drop", "tombstone", "rewrite", "rewrite-with-tombstone", "delete-to-tombstone"}

func extractNewRecordStateDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: enrsModeKey, Type: config.String, Default: nil,
			Validator: optionalEnum(enrsModes...), Importance: config.Medium,
			Doc: "How delete events and tombstones are handled: drop (both removed), tombstone (the default: a delete becomes a record with a null value, tombstones are removed), " +
				"rewrite (a delete becomes its before state with __deleted=true, creates and updates get __deleted=false, tombstones are removed), " +
				"rewrite-with-tombstone (rewrite, tombstones kept), delete-to-tombstone (a delete becomes a tombstone, tombstones are removed). " +
				"When not given and drop.tombstones or delete.handling.mode is, those decide, as in Debezium up to 3.1."}).
		Define(config.Key{Name: enrsDropTombKey, Type: config.Boolean, Default: nil, Importance: config.Low,
			Doc: "Deprecated (removed in Debezium 3.2): whether tombstones are dropped (default true). Read only when delete.tombstone.handling.mode is not given."}).
		Define(config.Key{Name: enrsDeleteModeKey, Type: config.String, Default: nil,
			Validator: optionalEnum("drop", "rewrite", "none"), Importance: config.Low,
			Doc: "Deprecated (removed in Debezium 3.2): drop (the default), rewrite or none (a record with a null value). Read only when delete.tombstone.handling.mode is not given."}).
		Define(config.Key{Name: enrsRouteKey, Type: config.String, Default: "", Importance: config.Low,
			Doc: "A field of the row (of before for a delete) whose value becomes the record's topic."}).
		Define(config.Key{Name: enrsFieldsPrefixKey, Type: config.String, Default: "__", Importance: config.Low,
			Doc: "Prefix of the fields add.fields adds."}).
		Define(config.Key{Name: enrsFieldsKey, Type: config.List, Default: []string{}, Importance: config.Low,
			Doc: "Envelope fields to add to the value, e.g. op,table,source.ts_ms (added as __op, __table, __source_ts_ms); field:name sets the new name (prefixed)."}).
		Define(config.Key{Name: enrsHdrsPrefixKey, Type: config.String, Default: "__", Importance: config.Low,
			Doc: "Prefix of the headers add.headers adds."}).
		Define(config.Key{Name: enrsHdrsKey, Type: config.List, Default: []string{}, Importance: config.Low,
			Doc: "Envelope fields to add as headers, named as add.fields names its fields."}).
		Define(config.Key{Name: enrsDropHeaderKey, Type: config.String, Default: nil, Importance: config.Low,
			Doc: "A header holding a list of field names to remove from the value."}).
		Define(config.Key{Name: enrsDropFromKeyKey, Type: config.Boolean, Default: false, Importance: config.Low,
			Doc: "Whether the fields named by drop.fields.header.name are removed from the key too."}).
		Define(config.Key{Name: enrsDropCompatKey, Type: config.Boolean, Default: true, Importance: config.Low,
			Doc: "When true only optional fields are dropped, so the schemas stay compatible; when false every named field is."}).
		Define(replaceNullKey())
}

// optionalEnum accepts null or one of values, ignoring case and surrounding
// spaces (Debezium's EnumeratedValue.parse).
func optionalEnum(values ...string) config.Validator {
	desc := "one of " + strings.Join(values, ", ")
	return config.ValidatorFunc(func(name string, value any) error {
		if value == nil {
			return nil
		}
		s, _ := value.(string)
		if parseEnum(s, values) == "" {
			return &config.ValueError{Name: name, Value: value, Reason: "must be " + desc}
		}
		return nil
	}, desc)
}

func parseEnum(s string, values []string) string {
	s = strings.TrimSpace(s)
	for _, v := range values {
		if strings.EqualFold(v, s) {
			return v
		}
	}
	return ""
}

func newExtractNewRecordState() Transformation { return &extractNewRecordState{} }

func (*extractNewRecordState) Config() *config.Def { return extractNewRecordStateDef() }

func (t *extractNewRecordState) Configure(props map[string]string) error {
	v, err := extractNewRecordStateDef().Parse(props)
	if err != nil {
		return err
	}
	mode := ""
	if m := v.Get(enrsModeKey); m != nil && strings.TrimSpace(m.(string)) != "" {
		mode = parseEnum(m.(string), enrsModes)
	}
	t.rewrite = false
	switch {
	case mode != "":
		t.setMode(mode)
	case v.Get(enrsDropTombKey) != nil || v.Get(enrsDeleteModeKey) != nil:
		t.tombstones = dropTombstone
		if v.Get(enrsDropTombKey) != nil && !v.Bool(enrsDropTombKey) {
			t.tombstones = keepTombstone
		}
		legacy := "drop"
		if v.Get(enrsDeleteModeKey) != nil {
			legacy = parseEnum(v.String(enrsDeleteModeKey), []string{"drop", "rewrite", "none"})
		}
		switch legacy {
		case "drop":
			t.deletes = dropDelete
		case "none":
			t.deletes = nullAfterDelete
		case "rewrite":
			t.deletes, t.rewrite = rewriteDelete, true
		}
	default:
		t.setMode("tombstone")
	}
	if t.fields, err = parseFieldReferences(enrsFieldsKey, v.String(enrsFieldsPrefixKey), v.List(enrsFieldsKey)); err != nil {
		return err
	}
	if t.headers, err = parseFieldReferences(enrsHdrsKey, v.String(enrsHdrsPrefixKey), v.List(enrsHdrsKey)); err != nil {
		return err
	}
	t.routeByField = v.String(enrsRouteKey)
	t.dropFieldsHeader = ""
	if h := v.Get(enrsDropHeaderKey); h != nil {
		t.dropFieldsHeader = strings.TrimSpace(h.(string))
	}
	t.dropFieldsFromKey = v.Bool(enrsDropFromKeyKey)
	t.dropFieldsKeepCompat = v.Bool(enrsDropCompatKey)

	replaceNull := fmt.Sprint(v.Bool(replaceNullConfig))
	delegates := []struct {
		dst   *Transformation
		newT  Transformation
		props map[string]string
	}{
		{&t.after, newExtractField(Value), map[string]string{"field": "after"}},
		{&t.before, newExtractField(Value), map[string]string{"field": "before"}},
		{&t.markDeleted, newInsertField(Value), map[string]string{"static.field": enrsDeletedField, "static.value": "true", replaceNullConfig: replaceNull}},
		{&t.markKept, newInsertField(Value), map[string]string{"static.field": enrsDeletedField, "static.value": "false", replaceNullConfig: replaceNull}},
	}
	for _, d := range delegates {
		if err := d.newT.Configure(d.props); err != nil {
			return fmt.Errorf("configuring %s's %v: %w", ExtractNewRecordStateClass, d.props, err)
		}
		*d.dst = d.newT
	}
	t.cache = map[newValueKey]*schemas.Schema{}
	return nil
}

// setMode sets the actions of a delete.tombstone.handling.mode.
func (t *extractNewRecordState) setMode(mode string) {
	switch mode {
	case "drop":
		t.tombstones, t.deletes = dropTombstone, dropDelete
	case "tombstone":
		t.tombstones, t.deletes = dropTombstone, nullAfterDelete
	case "rewrite":
		t.tombstones, t.deletes, t.rewrite = dropTombstone, rewriteDelete, true
	case "rewrite-with-tombstone":
		t.tombstones, t.deletes, t.rewrite = keepTombstone, rewriteDelete, true
	case "delete-to-tombstone":
		t.tombstones, t.deletes = dropTombstone, tombstoneDelete
	}
}

func (t *extractNewRecordState) Apply(r *Record) (bool, error) {
	tombstone := isNull(r.Value)
	envelope := r.ValueSchema != nil && strings.HasSuffix(r.ValueSchema.Name, enrsEnvelopeSuffix)
	var orig *schemas.Struct
	if envelope && !tombstone {
		st, err := requireStruct(r.Value, enrsPurpose)
		if err != nil {
			return false, err
		}
		orig = st
	}
	if (envelope || tombstone) && len(t.headers) > 0 {
		t.addHeaders(r, orig)
	}
	if tombstone {
		return t.tombstones == keepTombstone, nil
	}
	if !envelope {
		return true, nil
	}
	op, _ := orig.GetWithoutDefault("op").(string)

	out := *r
	if _, err := t.after.Apply(&out); err != nil {
		return false, err
	}
	if !isNull(out.Value) {
		if t.rewrite {
			if _, err := t.markKept.Apply(&out); err != nil {
				return false, err
			}
		}
		if err := t.route(&out, out.Value, "after"); err != nil {
			return false, err
		}
		if err := t.addFields(&out, orig, op); err != nil {
			return false, err
		}
		if err := t.dropFields(&out); err != nil {
			return false, err
		}
		*r = out
		return true, nil
	}

	// No after state: a delete, or a truncate (no before either), which
	// Debezium drops.
	if isNull(orig.GetWithoutDefault("before")) {
		return false, nil
	}
	switch t.deletes {
	case dropDelete:
		return false, nil
	case nullAfterDelete:
		// out already is the record with the "after" schema and a null value.
	case tombstoneDelete:
		out.ValueSchema, out.Value = nil, nil
	case rewriteDelete:
		out = *r
		if _, err := t.before.Apply(&out); err != nil {
			return false, err
		}
		if _, err := t.markDeleted.Apply(&out); err != nil {
			return false, err
		}
	}
	if err := t.route(&out, orig.GetWithoutDefault("before"), "before"); err != nil {
		return false, err
	}
	if err := t.dropFields(&out); err != nil {
		return false, err
	}
	if !isNull(out.Value) {
		if err := t.addFields(&out, orig, op); err != nil {
			return false, err
		}
	}
	*r = out
	return true, nil
}

// route sets the record's topic to the string field route.by.field of row
// (after, or before for a delete) when that is not blank.
func (t *extractNewRecordState) route(r *Record, row any, side string) error {
	if t.routeByField == "" {
		return nil
	}
	st, err := requireStruct(row, "Read record to set topic routing for "+side)
	if err != nil {
		return err
	}
	f, ok := st.Schema().Field(t.routeByField)
	if !ok {
		return schemas.DataErrorf("%s: %s is not a valid field name of %s", enrsRouteKey, t.routeByField, side)
	}
	if f.Schema.Type != schemas.TypeString {
		return schemas.DataErrorf("%s: field %s of %s is %s, not STRING", enrsRouteKey, t.routeByField, side, f.Schema.Type)
	}
	if topic, _ := st.Get(t.routeByField).(string); strings.TrimSpace(topic) != "" {
		r.Topic = topic
	}
	return nil
}

// addHeaders appends a header for each add.headers reference the envelope
// has; a tombstone gets only the op header, "d".
func (t *extractNewRecordState) addHeaders(r *Record, orig *schemas.Struct) {
	headers := make(connectors.Headers, len(r.Headers), len(r.Headers)+len(t.headers))
	copy(headers, r.Headers)
	for _, ref := range t.headers {
		if orig == nil {
			if ref.field == "op" { // Debezium compares the field name only
				headers.Add(ref.newName, schemas.StringSchema, "d")
			}
			continue
		}
		if s := ref.schema(orig.Schema()); s != nil {
			headers.Add(ref.newName, s, ref.value(orig))
		}
	}
	r.Headers = headers
}

// addFields appends the add.fields references to the flattened Struct
// value of r, as optional fields.
func (t *extractNewRecordState) addFields(r *Record, orig *schemas.Struct, op string) error {
	if len(t.fields) == 0 {
		return nil
	}
	value, err := requireStruct(r.Value, enrsPurpose)
	if err != nil {
		return err
	}
	key := newValueKey{schema: value.Schema(), op: op}
	schema, ok := t.cache[key]
	if !ok {
		b := copyBasicsInto(value.Schema(), schemas.NewBuilder(schemas.TypeStruct))
		for _, f := range value.Schema().Fields {
			b.Field(f.Name, f.Schema)
		}
		for _, ref := range t.fields {
			if s := ref.schema(orig.Schema()); s != nil {
				b.Field(ref.newName, s)
			}
		}
		if schema, err = b.Build(); err != nil {
			return schemas.DataErrorf("%s: %v", enrsFieldsKey, err)
		}
		if len(t.cache) >= enrsCacheSize {
			clear(t.cache)
		}
		t.cache[key] = schema
	}
	out := schemas.NewStruct(schema)
	for i := range value.Schema().Fields {
		if err := out.PutAt(i, value.At(i)); err != nil {
			return err
		}
	}
	for _, ref := range t.fields {
		if ref.schema(orig.Schema()) == nil {
			continue
		}
		if err := out.Put(ref.newName, ref.value(orig)); err != nil {
			return fmt.Errorf("%s: %w", enrsFieldsKey, err)
		}
	}
	r.ValueSchema, r.Value = schema, out
	return nil
}

// dropFields removes the fields named by the drop.fields.header.name
// header from the value (and the key with drop.fields.from.key); with
// drop.fields.keep.schema.compatible only optional fields go.
func (t *extractNewRecordState) dropFields(r *Record) error {
	if t.dropFieldsHeader == "" {
		return nil
	}
	h, ok := firstHeader(r.Headers, t.dropFieldsHeader)
	if !ok || isNull(h.Value) {
		return nil
	}
	names, err := stringList(h.Value)
	if err != nil {
		return schemas.DataErrorf("header %s (%s): %v", t.dropFieldsHeader, enrsDropHeaderKey, err)
	}
	if len(names) == 0 {
		return nil
	}
	drop := func(side Side) error {
		schema, v := side.Get(r)
		if schema == nil || schema.Type != schemas.TypeStruct || isNull(v) {
			return nil
		}
		var exclude []string
		for _, f := range schema.Fields {
			if slices.Contains(names, f.Name) && (!t.dropFieldsKeepCompat || f.Schema.Optional) {
				exclude = append(exclude, f.Name)
			}
		}
		if len(exclude) == 0 {
			return nil
		}
		rf := newReplaceField(side)
		if err := rf.Configure(map[string]string{"exclude": strings.Join(exclude, ",")}); err != nil {
			return err
		}
		_, err := rf.Apply(r)
		return err
	}
	if t.dropFieldsFromKey {
		if err := drop(Key); err != nil {
			return err
		}
	}
	return drop(Value)
}

func firstHeader(h connectors.Headers, key string) (connectors.Header, bool) {
	for _, x := range h {
		if x.Key == key {
			return x, true
		}
	}
	return connectors.Header{}, false
}

// stringList reads a header value that should be a list of strings.
func stringList(v any) ([]string, error) {
	switch l := v.(type) {
	case []string:
		return l, nil
	case []any:
		out := make([]string, 0, len(l))
		for _, x := range l {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("expected a list of field names, found an element of %s", JavaClassName(x))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected a list of field names, found %s", JavaClassName(v))
}

func (t *extractNewRecordState) Close() error {
	clear(t.cache)
	return nil
}

// fieldReference is an add.fields or add.headers entry: an envelope field
// ("op", "ts_ms") or a field of one of its structs ("source.ts_ms",
// "transaction.id"), and the name it gets.
type fieldReference struct {
	parent  string // "source", "transaction" or "" for a top-level field
	field   string
	newName string
}

// parseFieldReferences reads the entries of key: "field", "struct.field"
// or either followed by ":newName". An unqualified field is looked up in
// the struct Debezium hosts it in: op and ts_ms/ts_us/ts_ns at the top,
// id, total_order and data_collection_order in transaction, the rest in
// source. The new name is prefix+field, prefix+struct_field, or
// prefix+newName.
func parseFieldReferences(key, prefix string, entries []string) ([]fieldReference, error) {
	var out []fieldReference
	for _, e := range entries {
		e = strings.TrimSpace(e)
		parts := splitColon(e)
		if e == "" || len(parts) > 2 || parts[0] == "" || (len(parts) == 2 && parts[1] == "") {
			return nil, invalidValue(key, strings.Join(entries, ","), fmt.Sprintf("%q is not a field reference (field, struct.field, optionally followed by :name)", e))
		}
		path := strings.Split(parts[0], ".")
		var ref fieldReference
		switch {
		case len(path) == 1:
			ref.field = path[0]
			ref.parent = hostStruct(ref.field)
			ref.newName = prefix + ref.field
		case len(path) == 2 && path[0] != "" && path[1] != "":
			ref.parent, ref.field = path[0], path[1]
			ref.newName = prefix + ref.parent + "_" + ref.field
		default:
			return nil, invalidValue(key, strings.Join(entries, ","), fmt.Sprintf("%q is not a field reference (field, struct.field, optionally followed by :name)", e))
		}
		if len(parts) == 2 {
			ref.newName = prefix + parts[1]
		}
		out = append(out, ref)
	}
	return out, nil
}

func hostStruct(field string) string {
	switch field {
	case "id", "total_order", "data_collection_order":
		return "transaction"
	case "op", "ts_ms", "ts_us", "ts_ns":
		return ""
	default:
		return "source"
	}
}

// schema returns the optional schema of the referenced field in the
// envelope schema env, or nil when env has no such field. A field missing
// from its struct is looked up at the top level (where another SMT may
// have put it), as Debezium does.
func (f fieldReference) schema(env *schemas.Schema) *schemas.Schema {
	parent := env
	if f.parent != "" {
		p, ok := env.Field(f.parent)
		if !ok || p.Schema.Type != schemas.TypeStruct {
			parent = nil
		} else {
			parent = p.Schema
		}
	}
	var fs *schemas.Schema
	if parent != nil {
		if x, ok := parent.Field(f.field); ok {
			fs = x.Schema
		}
	}
	if fs == nil {
		x, ok := env.Field(f.field)
		if !ok {
			return nil
		}
		fs = x.Schema
	}
	return optionalCopy(fs)
}

// optionalCopy is s made optional, without its default (Kafka Connect's
// copySchemaBasics(s).optional()); a struct keeps its fields.
func optionalCopy(s *schemas.Schema) *schemas.Schema {
	if s.Optional && s.Default == nil {
		return s
	}
	b := copySchemaBasics(s)
	for _, f := range s.Fields {
		b.Field(f.Name, f.Schema)
	}
	out, err := b.Optional().Build()
	if err != nil {
		return s
	}
	return out
}

// value returns the referenced field's value in the envelope orig (null
// when its struct is null, e.g. transaction during a snapshot).
func (f fieldReference) value(orig *schemas.Struct) any {
	if f.parent != "" {
		if ps, ok := orig.Schema().Field(f.parent); ok && ps.Schema.Type == schemas.TypeStruct {
			p, _ := orig.GetWithoutDefault(f.parent).(*schemas.Struct)
			if p == nil {
				return nil
			}
			if _, ok := p.Schema().Field(f.field); ok {
				return p.GetWithoutDefault(f.field)
			}
		}
	}
	return orig.GetWithoutDefault(f.field)
}
