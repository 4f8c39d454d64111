package events

import (
	"fmt"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

// Field positions in the envelope schema: before, after, source,
// transaction, op, ts_ms, ts_us, ts_ns (Debezium's Envelope builder adds
// the transaction block given by TableSchemaBuilder right after source).
const (
	envBefore = iota
	envAfter
	envSource
	envTransaction
	envOp
	envTsMs
	envTsUs
	envTsNs
)

func (e *Events) envelopeSchema(name string, value *schemas.Schema) (*schemas.Schema, error) {
	return schemas.NewBuilder(schemas.TypeStruct).Name(name).Version(envelopeVersion).
		Field("before", value).
		Field("after", value).
		Field("source", e.source).
		Field("transaction", e.transaction).
		Field("op", schemas.StringSchema).
		Field("ts_ms", schemas.OptionalInt64Schema).
		Field("ts_us", schemas.OptionalInt64Schema).
		Field("ts_ns", schemas.OptionalInt64Schema).
		Build()
}

func (t *Table) envelope(op Op, before, after, source *schemas.Struct, ts time.Time) (*schemas.Struct, error) {
	switch op {
	case OpCreate, OpRead:
		if after == nil || before != nil {
			return nil, fmt.Errorf("events: table %s: a %q event has an after and no before", t.ID, op)
		}
	case OpUpdate:
		if after == nil || before == nil {
			return nil, fmt.Errorf("events: table %s: an update event has a before and an after", t.ID)
		}
	case OpDelete:
		if before == nil || after != nil {
			return nil, fmt.Errorf("events: table %s: a delete event has a before and no after", t.ID)
		}
	default:
		return nil, fmt.Errorf("events: table %s: unknown op %q", t.ID, op)
	}
	if source == nil {
		return nil, fmt.Errorf("events: table %s: an event needs a source block", t.ID)
	}
	env := schemas.NewStruct(t.EnvelopeSchema)
	for _, f := range [...]struct {
		i int
		v any
	}{
		{envBefore, before}, {envAfter, after}, {envSource, source}, {envOp, opValue(op)},
		{envTsMs, ts.UnixMilli()}, {envTsUs, ts.UnixMicro()}, {envTsNs, unixNano(ts)},
	} {
		if err := env.PutAt(f.i, f.v); err != nil {
			return nil, fmt.Errorf("events: table %s: envelope: %w", t.ID, err)
		}
	}
	return env, nil
}

// opValue boxes an op without allocating.
func opValue(op Op) any {
	switch op {
	case OpCreate:
		return "c"
	case OpUpdate:
		return "u"
	case OpDelete:
		return "d"
	}
	return "r"
}
