package transforms

import (
	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// Transformation changes or drops one record at a time: Kafka Connect's
// org.apache.kafka.connect.transforms.Transformation. The runtime calls
// Configure once, Apply for every record, and Close at the end.
type Transformation interface {
	// Config describes the keys Configure accepts.
	Config() *config.Def
	// Configure sets the transformation up from its properties (the keys
	// after transforms.<alias>.). A bad property is an error naming the key.
	Configure(props map[string]string) error
	// Apply transforms r in place and reports whether to keep it; false
	// drops the record. Apply may replace r's fields but must not change
	// what they point to (a Struct, a map, a slice, the Headers' backing
	// array): the task that made the record may still hold them. An error
	// says why the record could not be transformed (a schemas.DataError for
	// data that does not fit).
	Apply(r *Record) (keep bool, err error)
	// Close releases the transformation's resources.
	Close() error
}

// Predicate decides whether a transformation applies to a record: Kafka
// Connect's org.apache.kafka.connect.transforms.predicates.Predicate.
type Predicate interface {
	// Config describes the keys Configure accepts.
	Config() *config.Def
	// Configure sets the predicate up from its properties (the keys after
	// predicates.<alias>.).
	Configure(props map[string]string) error
	// Test reports whether r matches.
	Test(r *Record) bool
	// Close releases the predicate's resources.
	Close() error
}

// Record is a record passing through a chain of transformations: the
// fields every Connect record has and, for a record a sink task consumed,
// its Kafka offset.
type Record struct {
	connectors.Record
	// Offset is the Kafka offset of a record consumed by a sink task; it is
	// meaningful only when Sink is true.
	Offset int64
	// Sink is true for records consumed from Kafka for a sink task, false
	// for records a source task produced.
	Sink bool
}

// Side is the part of a record a $Key or $Value transformation works on.
type Side int

// The two sides of a record.
const (
	Key Side = iota
	Value
)

// String returns "Key" or "Value", the suffix of the Java class name.
func (s Side) String() string {
	if s == Key {
		return "Key"
	}
	return "Value"
}

// Get returns the schema and value of side s of r.
func (s Side) Get(r *Record) (*schemas.Schema, any) {
	if s == Key {
		return r.KeySchema, r.Key
	}
	return r.ValueSchema, r.Value
}

// Set replaces the schema and value of side s of r.
func (s Side) Set(r *Record, schema *schemas.Schema, v any) {
	if s == Key {
		r.KeySchema, r.Key = schema, v
	} else {
		r.ValueSchema, r.Value = schema, v
	}
}
