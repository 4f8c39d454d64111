package transforms

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// Change events shaped as Debezium's MySQL connector writes them for
// topic.prefix=dbserver1, table inventory.customers (its documented
// example): key dbserver1.inventory.customers.Key, value envelope
// dbserver1.inventory.customers.Envelope with before/after of the optional
// struct dbserver1.inventory.customers.Value, source
// io.debezium.connector.mysql.Source, transaction event.block, op, ts_ms.

var (
	dbzKeySchema = schemas.NewBuilder(schemas.TypeStruct).Name("dbserver1.inventory.customers.Key").
			Field("id", schemas.Int32Schema).MustBuild()
	dbzRowSchema = schemas.NewBuilder(schemas.TypeStruct).Name("dbserver1.inventory.customers.Value").Optional().
			Field("id", schemas.Int32Schema).
			Field("first_name", schemas.StringSchema).
			Field("last_name", schemas.StringSchema).
			Field("email", schemas.OptionalStringSchema).
			Field("dest", schemas.OptionalStringSchema).MustBuild()
	dbzSourceSchema = schemas.NewBuilder(schemas.TypeStruct).Name("io.debezium.connector.mysql.Source").
			Field("version", schemas.StringSchema).
			Field("connector", schemas.StringSchema).
			Field("name", schemas.StringSchema).
			Field("ts_ms", schemas.Int64Schema).
			Field("snapshot", schemas.NewBuilder(schemas.TypeString).Optional().Name("io.debezium.data.Enum").Version(1).
				Parameter("allowed", "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental").Default("false").MustBuild()).
			Field("db", schemas.StringSchema).
			Field("sequence", schemas.OptionalStringSchema).
			Field("table", schemas.OptionalStringSchema).
			Field("server_id", schemas.Int64Schema).
			Field("gtid", schemas.OptionalStringSchema).
			Field("file", schemas.StringSchema).
			Field("pos", schemas.Int64Schema).
			Field("row", schemas.Int32Schema).
			Field("thread", schemas.OptionalInt64Schema).
			Field("query", schemas.OptionalStringSchema).MustBuild()
	dbzTxSchema = schemas.NewBuilder(schemas.TypeStruct).Name("event.block").Version(1).Optional().
			Field("id", schemas.StringSchema).
			Field("total_order", schemas.Int64Schema).
			Field("data_collection_order", schemas.Int64Schema).MustBuild()
	dbzEnvelopeSchema = schemas.NewBuilder(schemas.TypeStruct).Name("dbserver1.inventory.customers.Envelope").Version(2).
				Field("before", dbzRowSchema).
				Field("after", dbzRowSchema).
				Field("source", dbzSourceSchema).
				Field("transaction", dbzTxSchema).
				Field("op", schemas.StringSchema).
				Field("ts_ms", schemas.OptionalInt64Schema).
				Field("ts_us", schemas.OptionalInt64Schema).
				Field("ts_ns", schemas.OptionalInt64Schema).MustBuild()
)

func dbzRow(id int32, first, email, dest string) *schemas.Struct {
	return schemas.NewStruct(dbzRowSchema).MustPut("id", id).MustPut("first_name", first).
		MustPut("last_name", "Kretchmar").MustPut("email", email).MustPut("dest", dest)
}

// dbzEvent is a change event of op with the given row states (nil for
// none); snapshot events (op r) carry no transaction.
func dbzEvent(op string, before, after *schemas.Struct) *Record {
	id := int32(0)
	for _, s := range []*schemas.Struct{after, before} {
		if s != nil {
			id = s.Get("id").(int32)
		}
	}
	source := schemas.NewStruct(dbzSourceSchema).MustPut("version", "3.2.0.Final").MustPut("connector", "mysql").
		MustPut("name", "dbserver1").MustPut("ts_ms", int64(1465581029000)).MustPut("db", "inventory").
		MustPut("table", "customers").MustPut("server_id", int64(223344)).MustPut("file", "mysql-bin.000003").
		MustPut("pos", int64(484)).MustPut("row", int32(0)).MustPut("thread", int64(7))
	v := schemas.NewStruct(dbzEnvelopeSchema).MustPut("source", source).MustPut("op", op).
		MustPut("ts_ms", int64(1465581029523)).MustPut("ts_us", int64(1465581029523000)).MustPut("ts_ns", int64(1465581029523000000))
	if op == "r" {
		source.MustPut("snapshot", "true")
	} else {
		v.MustPut("transaction", schemas.NewStruct(dbzTxSchema).MustPut("id", "0-1-42").
			MustPut("total_order", int64(1)).MustPut("data_collection_order", int64(1)))
	}
	if before != nil {
		v.MustPut("before", before)
	}
	if after != nil {
		v.MustPut("after", after)
	}
	return &Record{Sink: true, Record: connectors.Record{Topic: "dbserver1.inventory.customers", Partition: connectors.Partition(0),
		Timestamp: time.UnixMilli(1465581029600), Headers: spareHeaders(strHeader("h", "v")),
		KeySchema: dbzKeySchema, Key: schemas.NewStruct(dbzKeySchema).MustPut("id", id),
		ValueSchema: dbzEnvelopeSchema, Value: v}}
}

// dbzTombstone is the tombstone Debezium writes after a delete.
func dbzTombstone(id int32) *Record {
	return &Record{Sink: true, Record: connectors.Record{Topic: "dbserver1.inventory.customers", Partition: connectors.Partition(0),
		Headers: spareHeaders(), KeySchema: dbzKeySchema, Key: schemas.NewStruct(dbzKeySchema).MustPut("id", id)}}
}

var (
	rowAnne   = dbzRow(1004, "Anne", "annek@noanswer.org", "t1")
	rowAnne2  = dbzRow(1004, "Anne Marie", "annek@noanswer.org", "t2")
	deletedAt = dbzEvent("d", rowAnne2, nil)
)

// want describes the expected outcome of Apply.
type enrsWant struct {
	drop   bool
	schema *schemas.Schema // nil: no value schema
	value  *schemas.Struct // nil: a null value
	topic  string          // "" : unchanged
}

func applyENRS(t *testing.T, props map[string]string, r *Record) (*Record, bool) {
	t.Helper()
	tr := configured(t, newExtractNewRecordState(), props)
	check := guardInputs(t, r)
	out := *r
	keep, err := tr.Apply(&out)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	check()
	return &out, keep
}

func TestExtractNewRecordStateDeleteModes(t *testing.T) {
	deletedSchema := schemas.NewBuilder(schemas.TypeStruct).Name("dbserver1.inventory.customers.Value").
		Field("id", schemas.Int32Schema).Field("first_name", schemas.StringSchema).Field("last_name", schemas.StringSchema).
		Field("email", schemas.OptionalStringSchema).Field("dest", schemas.OptionalStringSchema).
		Field("__deleted", schemas.OptionalStringSchema).MustBuild()
	withDeleted := func(row *schemas.Struct, deleted string) *schemas.Struct {
		out := schemas.NewStruct(deletedSchema)
		for _, f := range row.Schema().Fields {
			out.MustPut(f.Name, row.Get(f.Name))
		}
		return out.MustPut("__deleted", deleted)
	}
	keepAfter := enrsWant{schema: dbzRowSchema, value: rowAnne}
	cases := []struct {
		name      string
		props     map[string]string
		create    enrsWant
		delete    enrsWant
		tombstone enrsWant // kept tombstones are compared as such
	}{
		{"default is tombstone", map[string]string{}, keepAfter, enrsWant{schema: dbzRowSchema}, enrsWant{drop: true}},
		{"tombstone", map[string]string{"delete.tombstone.handling.mode": "tombstone"}, keepAfter, enrsWant{schema: dbzRowSchema}, enrsWant{drop: true}},
		{"drop", map[string]string{"delete.tombstone.handling.mode": "drop"}, keepAfter, enrsWant{drop: true}, enrsWant{drop: true}},
		{"rewrite", map[string]string{"delete.tombstone.handling.mode": " Rewrite "},
			enrsWant{schema: deletedSchema, value: withDeleted(rowAnne, "false")},
			enrsWant{schema: deletedSchema, value: withDeleted(rowAnne2, "true")}, enrsWant{drop: true}},
		{"rewrite-with-tombstone", map[string]string{"delete.tombstone.handling.mode": "rewrite-with-tombstone"},
			enrsWant{schema: deletedSchema, value: withDeleted(rowAnne, "false")},
			enrsWant{schema: deletedSchema, value: withDeleted(rowAnne2, "true")}, enrsWant{}},
		{"delete-to-tombstone", map[string]string{"delete.tombstone.handling.mode": "delete-to-tombstone"}, keepAfter, enrsWant{}, enrsWant{drop: true}},
		// The keys Debezium 3.2 removed, read when the new one is absent.
		{"legacy defaults", map[string]string{"drop.tombstones": "true"}, keepAfter, enrsWant{drop: true}, enrsWant{drop: true}},
		{"legacy none keeping tombstones", map[string]string{"drop.tombstones": "false", "delete.handling.mode": "none"},
			keepAfter, enrsWant{schema: dbzRowSchema}, enrsWant{}},
		{"legacy rewrite", map[string]string{"delete.handling.mode": "rewrite"},
			enrsWant{schema: deletedSchema, value: withDeleted(rowAnne, "false")},
			enrsWant{schema: deletedSchema, value: withDeleted(rowAnne2, "true")}, enrsWant{drop: true}},
		{"new key wins over legacy ones", map[string]string{"delete.tombstone.handling.mode": "delete-to-tombstone",
			"drop.tombstones": "false", "delete.handling.mode": "rewrite"}, keepAfter, enrsWant{}, enrsWant{drop: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, step := range []struct {
				what string
				in   *Record
				want enrsWant
			}{
				{"create", dbzEvent("c", nil, rowAnne), c.create},
				{"snapshot read", dbzEvent("r", nil, rowAnne), c.create},
				{"delete", deletedAt, c.delete},
				{"tombstone", dbzTombstone(1004), c.tombstone},
			} {
				got, keep := applyENRS(t, c.props, step.in)
				checkENRS(t, step.what, step.in, got, keep, step.want)
			}
		})
	}
}

func checkENRS(t *testing.T, what string, in, got *Record, keep bool, want enrsWant) {
	t.Helper()
	if keep == want.drop {
		t.Fatalf("%s: keep = %v, want %v", what, keep, !want.drop)
	}
	if !keep {
		return
	}
	if (got.ValueSchema == nil) != (want.schema == nil) || (want.schema != nil && !got.ValueSchema.Equal(want.schema)) {
		t.Errorf("%s: value schema = %v, want %v", what, got.ValueSchema, want.schema)
	}
	switch {
	case want.value == nil && !isNull(got.Value):
		t.Errorf("%s: value = %v, want null", what, got.Value)
	case want.value != nil:
		st, ok := got.Value.(*schemas.Struct)
		if !ok || !st.Equal(want.value) {
			t.Errorf("%s: value = %v, want %v", what, got.Value, want.value)
		} else if err := st.Validate(); err != nil {
			t.Errorf("%s: value does not fit its schema: %v", what, err)
		}
	}
	wantTopic := in.Topic
	if want.topic != "" {
		wantTopic = want.topic
	}
	if got.Topic != wantTopic || got.Key != in.Key || got.KeySchema != in.KeySchema || !got.Timestamp.Equal(in.Timestamp) {
		t.Errorf("%s: topic/key/timestamp changed: %q %v %v", what, got.Topic, got.Key, got.Timestamp)
	}
}

func TestExtractNewRecordStateUpdateAndTruncate(t *testing.T) {
	update := dbzEvent("u", rowAnne, rowAnne2)
	got, keep := applyENRS(t, nil, update)
	checkENRS(t, "update", update, got, keep, enrsWant{schema: dbzRowSchema, value: rowAnne2})
	// A truncate event has neither before nor after: dropped.
	if _, keep := applyENRS(t, map[string]string{"delete.tombstone.handling.mode": "rewrite"}, dbzEvent("t", nil, nil)); keep {
		t.Error("truncate event kept")
	}
}

func TestExtractNewRecordStatePassesNonEnvelopes(t *testing.T) {
	hbSchema := schemas.NewBuilder(schemas.TypeStruct).Name("io.debezium.connector.common.Heartbeat").Version(1).
		Field("ts_ms", schemas.Int64Schema).MustBuild()
	hbKey := schemas.NewBuilder(schemas.TypeStruct).Name("io.debezium.connector.common.ServerNameKey").Version(1).
		Field("serverName", schemas.StringSchema).MustBuild()
	scSchema := schemas.NewBuilder(schemas.TypeStruct).Name("io.debezium.connector.mysql.SchemaChangeValue").
		Field("databaseName", schemas.StringSchema).Field("ddl", schemas.OptionalStringSchema).MustBuild()
	for name, r := range map[string]*Record{
		"heartbeat": {Record: connectors.Record{Topic: "__debezium-heartbeat.dbserver1", KeySchema: hbKey,
			Key: schemas.NewStruct(hbKey).MustPut("serverName", "dbserver1"), ValueSchema: hbSchema,
			Value: schemas.NewStruct(hbSchema).MustPut("ts_ms", int64(1))}},
		"schema change": {Record: connectors.Record{Topic: "dbserver1", ValueSchema: scSchema,
			Value: schemas.NewStruct(scSchema).MustPut("databaseName", "inventory").MustPut("ddl", "ALTER TABLE t ADD c INT")}},
		"schemaless envelope": {Record: connectors.Record{Topic: "dbserver1.inventory.customers",
			Value: map[string]any{"op": "c", "after": map[string]any{"id": int64(1)}}}},
	} {
		t.Run(name, func(t *testing.T) {
			props := map[string]string{"add.fields": "op", "add.headers": "op", "route.by.field": "dest"}
			got, keep := applyENRS(t, props, r)
			if !keep || got.Topic != r.Topic || got.ValueSchema != r.ValueSchema || !equalHeaders(got.Headers, r.Headers) ||
				!schemas.EqualValues(got.Value, r.Value) {
				t.Errorf("changed: keep=%v %+v", keep, got.Record)
			}
		})
	}
}

func TestExtractNewRecordStateAddFields(t *testing.T) {
	props := map[string]string{"add.fields": "op, table,source.ts_ms,ts_ms,transaction.id,db:database,missing",
		"delete.tombstone.handling.mode": "rewrite"}
	addedSchema := func(base *schemas.Schema, deleted bool) *schemas.Schema {
		b := schemas.NewBuilder(schemas.TypeStruct).Name("dbserver1.inventory.customers.Value")
		for _, f := range base.Fields {
			b.Field(f.Name, f.Schema)
		}
		if deleted {
			b.Field("__deleted", schemas.OptionalStringSchema)
		}
		return b.Field("__op", schemas.OptionalStringSchema).Field("__table", schemas.OptionalStringSchema).
			Field("__source_ts_ms", schemas.OptionalInt64Schema).Field("__ts_ms", schemas.OptionalInt64Schema).
			Field("__transaction_id", schemas.OptionalStringSchema).Field("__database", schemas.OptionalStringSchema).MustBuild()
	}
	cases := []struct {
		name   string
		in     *Record
		op     string
		txID   any
		row    *schemas.Struct
		delete string
	}{
		{"create", dbzEvent("c", nil, rowAnne), "c", "0-1-42", rowAnne, "false"},
		{"snapshot without transaction", dbzEvent("r", nil, rowAnne), "r", nil, rowAnne, "false"},
		{"update", dbzEvent("u", rowAnne, rowAnne2), "u", "0-1-42", rowAnne2, "false"},
		{"rewritten delete", deletedAt, "d", "0-1-42", rowAnne2, "true"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, keep := applyENRS(t, props, c.in)
			if !keep {
				t.Fatal("dropped")
			}
			want := addedSchema(dbzRowSchema, true)
			if !got.ValueSchema.Equal(want) {
				t.Fatalf("schema = %v\nwant %v", got.ValueSchema, want)
			}
			st := got.Value.(*schemas.Struct)
			if err := st.Validate(); err != nil {
				t.Fatal(err)
			}
			for name, v := range map[string]any{"id": c.row.Get("id"), "first_name": c.row.Get("first_name"), "__deleted": c.delete,
				"__op": c.op, "__table": "customers", "__source_ts_ms": int64(1465581029000), "__ts_ms": int64(1465581029523),
				"__transaction_id": c.txID, "__database": "inventory"} {
				if !schemas.EqualValues(st.Get(name), v) {
					t.Errorf("%s = %v, want %v", name, st.Get(name), v)
				}
			}
		})
	}
	t.Run("prefix", func(t *testing.T) {
		got, _ := applyENRS(t, map[string]string{"add.fields": "op,source.file:binlog", "add.fields.prefix": "meta_"}, dbzEvent("c", nil, rowAnne))
		st := got.Value.(*schemas.Struct)
		if st.Get("meta_op") != "c" || st.Get("meta_binlog") != "mysql-bin.000003" || got.ValueSchema.Name != "dbserver1.inventory.customers.Value" {
			t.Errorf("value = %v (%s)", st, got.ValueSchema.Name)
		}
	})
}

func TestExtractNewRecordStateAddHeaders(t *testing.T) {
	props := map[string]string{"add.headers": "op,source.ts_ms,db,transaction.id,nope", "add.headers.prefix": "dbz.",
		"delete.tombstone.handling.mode": "rewrite-with-tombstone"}
	got, _ := applyENRS(t, props, dbzEvent("c", nil, rowAnne))
	want := connectors.Headers{strHeader("h", "v"),
		{Key: "dbz.op", Schema: schemas.OptionalStringSchema, Value: "c"},
		{Key: "dbz.source_ts_ms", Schema: schemas.OptionalInt64Schema, Value: int64(1465581029000)},
		{Key: "dbz.db", Schema: schemas.OptionalStringSchema, Value: "inventory"},
		{Key: "dbz.transaction_id", Schema: schemas.OptionalStringSchema, Value: "0-1-42"}}
	if !equalHeaders(got.Headers, want) {
		t.Errorf("headers = %v\nwant %v", got.Headers, want)
	}
	// A kept tombstone gets the op header only, "d".
	got, keep := applyENRS(t, props, dbzTombstone(1004))
	want = connectors.Headers{{Key: "dbz.op", Schema: schemas.StringSchema, Value: "d"}}
	if !keep || !equalHeaders(got.Headers, want) {
		t.Errorf("tombstone: keep=%v headers = %v, want %v", keep, got.Headers, want)
	}
}

func TestExtractNewRecordStateRouteByField(t *testing.T) {
	props := map[string]string{"route.by.field": "dest", "delete.tombstone.handling.mode": "rewrite"}
	got, _ := applyENRS(t, props, dbzEvent("u", rowAnne, rowAnne2))
	if got.Topic != "t2" {
		t.Errorf("update routed to %q, want t2 (after.dest)", got.Topic)
	}
	got, _ = applyENRS(t, props, dbzEvent("d", rowAnne, nil))
	if got.Topic != "t1" {
		t.Errorf("delete routed to %q, want t1 (before.dest)", got.Topic)
	}
	blank := dbzRow(1, "A", "a@b", "")
	got, _ = applyENRS(t, props, dbzEvent("c", nil, blank))
	if got.Topic != "dbserver1.inventory.customers" {
		t.Errorf("blank dest routed to %q", got.Topic)
	}
	tr := configured(t, newExtractNewRecordState(), map[string]string{"route.by.field": "id"})
	r := dbzEvent("c", nil, rowAnne)
	if _, err := tr.Apply(r); err == nil || !strings.Contains(err.Error(), "route.by.field") {
		t.Errorf("routing by an INT32 field: %v, want an error naming route.by.field", err)
	}
}

func TestExtractNewRecordStateDropFields(t *testing.T) {
	arr := schemas.Array(schemas.StringSchema).MustBuild()
	r := dbzEvent("c", nil, rowAnne)
	r.Headers = spareHeaders(connectors.Header{Key: "drop", Schema: arr, Value: []any{"email", "first_name", "id"}})
	for _, c := range []struct {
		compat bool
		want   []string
	}{{true, []string{"id", "first_name", "last_name", "dest"}}, {false, []string{"last_name", "dest"}}} {
		got, _ := applyENRS(t, map[string]string{"drop.fields.header.name": "drop",
			"drop.fields.keep.schema.compatible": fmt.Sprint(c.compat), "drop.fields.from.key": "true"}, r)
		var names []string
		for _, f := range got.ValueSchema.Fields {
			names = append(names, f.Name)
		}
		if strings.Join(names, ",") != strings.Join(c.want, ",") {
			t.Errorf("compatible=%v: fields %v, want %v", c.compat, names, c.want)
		}
		if keyFields := len(got.KeySchema.Fields); keyFields != map[bool]int{true: 1, false: 0}[c.compat] {
			t.Errorf("compatible=%v: key has %d fields", c.compat, keyFields)
		}
	}
	r.Headers = spareHeaders(connectors.Header{Key: "drop", Schema: schemas.Int32Schema, Value: int32(3)})
	tr := configured(t, newExtractNewRecordState(), map[string]string{"drop.fields.header.name": "drop"})
	if _, err := tr.Apply(r); err == nil || !strings.Contains(err.Error(), "drop") {
		t.Errorf("an INT32 drop header: %v, want an error naming it", err)
	}
}

func TestExtractNewRecordStateBadInput(t *testing.T) {
	tr := configured(t, newExtractNewRecordState(), nil)
	r := dbzEvent("c", nil, rowAnne)
	r.Value = "not a struct"
	_, err := tr.Apply(r)
	var de *schemas.DataError
	if !errors.As(err, &de) {
		t.Errorf("an envelope schema with a string value: %v, want a DataError", err)
	}
}

func TestExtractNewRecordStateConfig(t *testing.T) {
	for _, c := range []struct {
		props map[string]string
		key   string
	}{
		{map[string]string{"delete.tombstone.handling.mode": "delete"}, "delete.tombstone.handling.mode"},
		{map[string]string{"delete.handling.mode": "tombstone"}, "delete.handling.mode"},
		{map[string]string{"drop.tombstones": "maybe"}, "drop.tombstones"},
		{map[string]string{"add.fields": "op,,table"}, "add.fields"},
		{map[string]string{"add.fields": "a:b:c"}, "add.fields"},
		{map[string]string{"add.headers": "source.db.x"}, "add.headers"},
		{map[string]string{"add.headers": ":name"}, "add.headers"},
		{map[string]string{"drop.fields.from.key": "yes"}, "drop.fields.from.key"},
	} {
		err := newExtractNewRecordState().Configure(c.props)
		var ce *config.Error
		if !errors.As(err, &ce) || len(ce.Problems) != 1 || ce.Problems[0].Key != c.key {
			t.Errorf("Configure(%v) = %v, want a problem with %s", c.props, err, c.key)
		}
	}
}

func TestExtractNewRecordStateRegistered(t *testing.T) {
	for _, p := range Builtins() {
		if p.Class == "io.debezium.transforms.ExtractNewRecordState" && p.NewTransformation != nil {
			return
		}
	}
	t.Fatal("Builtins lacks io.debezium.transforms.ExtractNewRecordState")
}

// Envelopes of unexpected shapes are errors or pass as far as they can, never a panic.
func TestExtractNewRecordStateOddEnvelopes(t *testing.T) {
	odd := schemas.NewBuilder(schemas.TypeStruct).Name("x.y.z.Envelope").
		Field("after", schemas.OptionalStringSchema).
		Field("source", schemas.OptionalInt64Schema).
		Field("ts_ms", schemas.OptionalInt64Schema).
		Field("op", schemas.OptionalStringSchema).MustBuild()
	noAfter := schemas.NewBuilder(schemas.TypeStruct).Name("x.y.z.Envelope").Field("op", schemas.StringSchema).MustBuild()
	rec := func(s *schemas.Schema, v *schemas.Struct) *Record {
		return &Record{Record: connectors.Record{Topic: "t", ValueSchema: s, Value: v}}
	}
	for _, c := range []struct {
		name  string
		props map[string]string
		r     *Record
		err   bool
	}{
		{"string after, add.fields", map[string]string{"add.fields": "source.ts_ms"}, rec(odd, schemas.NewStruct(odd).MustPut("after", "x").MustPut("ts_ms", int64(3))), true},
		{"string after, plain", nil, rec(odd, schemas.NewStruct(odd).MustPut("after", "x")), false},
		{"string after, rewrite", map[string]string{"delete.tombstone.handling.mode": "rewrite"}, rec(odd, schemas.NewStruct(odd).MustPut("after", "x")), true},
		{"no after field", nil, rec(noAfter, schemas.NewStruct(noAfter).MustPut("op", "c")), true},
		{"no after or before", map[string]string{"delete.tombstone.handling.mode": "rewrite"}, rec(odd, schemas.NewStruct(odd)), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := configured(t, newExtractNewRecordState(), c.props)
			_, err := tr.Apply(c.r)
			if (err != nil) != c.err {
				t.Errorf("err = %v, want an error: %v", err, c.err)
			}
		})
	}
	// A source that is no struct: source.ts_ms is looked up at the top level, schema and value
	// alike.
	tr := configured(t, newExtractNewRecordState(), map[string]string{"add.headers": "source.ts_ms"})
	r := rec(odd, schemas.NewStruct(odd).MustPut("ts_ms", int64(3)))
	if _, err := tr.Apply(r); err != nil {
		t.Fatal(err)
	}
	if h, ok := r.Headers.Last("__source_ts_ms"); !ok || h.Value != int64(3) {
		t.Errorf("headers = %v, want __source_ts_ms=3", r.Headers)
	}
}
