package transforms

import (
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// TestExtractNewRecordStateHostileEnvelopes: records whose envelope lies
// about its shape (a value of another schema, fields of other types, a
// delete whose before is no struct) are errors or pass, under every
// delete mode and with add.fields, add.headers and route.by.field: never
// a panic.
func TestExtractNewRecordStateHostileEnvelopes(t *testing.T) {
	env := schemas.NewBuilder(schemas.TypeStruct).Name("x.y.z.Envelope").
		Field("before", schemas.OptionalStringSchema).
		Field("after", schemas.OptionalInt64Schema).
		Field("source", schemas.OptionalStringSchema).
		Field("transaction", schemas.OptionalInt32Schema).
		Field("op", schemas.OptionalInt32Schema).MustBuild()
	rec := func(s *schemas.Schema, v any) *Record {
		return &Record{Record: connectors.Record{Topic: "t", ValueSchema: s, Value: v}}
	}
	records := map[string]*Record{
		"delete, string before":    rec(env, schemas.NewStruct(env).MustPut("before", "x").MustPut("op", int32(7))),
		"int after":                rec(env, schemas.NewStruct(env).MustPut("after", int64(1)).MustPut("transaction", int32(1))),
		"value of another schema":  rec(env, schemas.NewStruct(dbzRowSchema).MustPut("id", int32(1))),
		"row value, envelope name": rec(dbzEnvelopeSchema, schemas.NewStruct(dbzRowSchema).MustPut("id", int32(1))),
		"map value":                rec(env, map[string]any{"after": 1}),
		"envelope, nil schema row": rec(dbzEnvelopeSchema, dbzEvent("d", rowAnne, nil).Value),
		"envelope without schema":  rec(nil, dbzEvent("c", nil, rowAnne).Value),
	}
	for _, props := range []map[string]string{
		nil,
		{"delete.tombstone.handling.mode": "rewrite", "add.fields": "op,source.db,transaction.id,ts_ms", "add.headers": "op,source.db,transaction.id", "route.by.field": "dest"},
		{"delete.tombstone.handling.mode": "rewrite-with-tombstone", "route.by.field": "nope", "drop.fields.header.name": "h"},
		{"delete.tombstone.handling.mode": "delete-to-tombstone", "add.fields": "before.id,after.id"},
		{"delete.handling.mode": "none", "drop.tombstones": "false", "add.headers": "source.ts_ms:x"},
	} {
		for name, r := range records {
			t.Run(name, func(t *testing.T) {
				tr := configured(t, newExtractNewRecordState(), props)
				out := *r
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("props %v: panic %v", props, p)
					}
				}()
				_, _ = tr.Apply(&out)
			})
		}
	}
}
