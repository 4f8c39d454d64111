package transforms

import (
	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// insertHeader appends a header with a fixed value to every record: Kafka
// Connect's InsertHeader. The value is read from value.literal as Kafka
// Connect's Values.parseString reads it ("42" is an INT8, "true" a BOOLEAN,
// "null" a null), once, at configuration.
type insertHeader struct {
	key    string
	schema *schemas.Schema
	value  any
}

func newInsertHeader() Transformation { return &insertHeader{} }

func insertHeaderDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "header", Type: config.String, Default: config.NoDefault,
			Validator: config.NonNull(), Importance: config.High,
			Doc: "The key of the header to add."}).
		Define(config.Key{Name: "value.literal", Type: config.String, Default: config.NoDefault,
			Validator: config.NonNull(), Importance: config.High,
			Doc: "The header value, parsed into a typed value as Kafka Connect's Values.parseString does."})
}

func (*insertHeader) Config() *config.Def { return insertHeaderDef() }

func (h *insertHeader) Configure(props map[string]string) error {
	v, err := insertHeaderDef().Parse(props)
	if err != nil {
		return err
	}
	literal := v.String("value.literal")
	schema, value, err := schemas.ParseString(literal)
	if err != nil {
		return invalidValue("value.literal", literal, err.Error())
	}
	h.key, h.schema, h.value = v.String("header"), schema, value
	return nil
}

func (h *insertHeader) Apply(r *Record) (bool, error) {
	// A new slice: the producer of r may still hold the old one.
	headers := make(connectors.Headers, len(r.Headers), len(r.Headers)+1)
	copy(headers, r.Headers)
	headers.Add(h.key, h.schema, h.value)
	r.Headers = headers
	return true, nil
}

func (*insertHeader) Close() error { return nil }
