package transforms

import (
	"fmt"
	"math/big"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

// Kafka Connect's Requirements: the checks a transformation makes of the
// data it gets, with the same messages. purpose names the operation, e.g.
// "field insertion".

// requireSchema fails when a transformation that needs a schema gets none.
func requireSchema(s *schemas.Schema, purpose string) error {
	if s == nil {
		return schemas.DataErrorf("Schema required for [%s]", purpose)
	}
	return nil
}

// requireStruct returns v as a Struct, or an error naming what v is.
func requireStruct(v any, purpose string) (*schemas.Struct, error) {
	st, ok := v.(*schemas.Struct)
	if !ok || st == nil {
		return nil, schemas.DataErrorf("Only Struct objects supported for [%s], found: %s", purpose, JavaClassName(v))
	}
	return st, nil
}

// requireStructOrNull is requireStruct that lets null through (nil, nil).
func requireStructOrNull(v any, purpose string) (*schemas.Struct, error) {
	if isNull(v) {
		return nil, nil
	}
	return requireStruct(v, purpose)
}

// requireMap returns a schemaless value as a map with string keys, or an
// error naming what v is. A map[any]any whose keys are all strings is
// copied into a map[string]any.
func requireMap(v any, purpose string) (map[string]any, error) {
	switch m := v.(type) {
	case map[string]any:
		if m != nil {
			return m, nil
		}
	case map[any]any:
		if m == nil {
			break
		}
		out := make(map[string]any, len(m))
		for k, x := range m {
			ks, ok := k.(string)
			if !ok {
				return nil, schemas.DataErrorf("Only Map objects with String keys supported in absence of schema for [%s], found a key of %s", purpose, JavaClassName(k))
			}
			out[ks] = x
		}
		return out, nil
	}
	return nil, schemas.DataErrorf("Only Map objects supported in absence of schema for [%s], found: %s", purpose, JavaClassName(v))
}

// requireMapOrNull is requireMap that lets null through (nil, nil).
func requireMapOrNull(v any, purpose string) (map[string]any, error) {
	if isNull(v) {
		return nil, nil
	}
	return requireMap(v, purpose)
}

// requireSinkRecord fails for records that did not come from a sink's
// consumer.
func requireSinkRecord(r *Record, purpose string) error {
	if !r.Sink {
		return schemas.DataErrorf("Only SinkRecord supported for [%s], found: org.apache.kafka.connect.source.SourceRecord", purpose)
	}
	return nil
}

// isNull reports whether v is Java's null: a nil interface or a typed nil
// Struct, decimal or container.
func isNull(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *schemas.Struct:
		return x == nil
	case *big.Rat:
		return x == nil
	case map[string]any:
		return x == nil
	case map[any]any:
		return x == nil
	case []any:
		return x == nil
	case []byte:
		return x == nil
	}
	return false
}

// JavaClassName names the Java class Kafka Connect would hold v in, for
// error messages that say what was found: "java.lang.String", "null".
func JavaClassName(v any) string {
	if isNull(v) {
		return "null"
	}
	switch v.(type) {
	case int8:
		return "java.lang.Byte"
	case int16:
		return "java.lang.Short"
	case int32:
		return "java.lang.Integer"
	case int64, int:
		return "java.lang.Long"
	case float32:
		return "java.lang.Float"
	case float64:
		return "java.lang.Double"
	case bool:
		return "java.lang.Boolean"
	case string:
		return "java.lang.String"
	case []byte:
		return "[B"
	case []any:
		return "java.util.ArrayList"
	case map[string]any, map[any]any:
		return "java.util.HashMap"
	case *schemas.Struct:
		return "org.apache.kafka.connect.data.Struct"
	case *big.Rat:
		return "java.math.BigDecimal"
	case time.Time:
		return "java.util.Date"
	}
	return fmt.Sprintf("%T", v)
}

// copySchemaBasics starts a builder of s's type with s's name, version, doc
// and parameters (Kafka Connect's SchemaUtil.copySchemaBasics); optionality
// and default are not copied.
func copySchemaBasics(s *schemas.Schema) *schemas.Builder {
	var b *schemas.Builder
	switch s.Type {
	case schemas.TypeArray:
		b = schemas.Array(s.Value)
	case schemas.TypeMap:
		b = schemas.Map(s.Key, s.Value)
	default:
		b = schemas.NewBuilder(s.Type)
	}
	return copyBasicsInto(s, b)
}

// copyBasicsInto sets s's name, version, doc and parameters on b.
func copyBasicsInto(s *schemas.Schema, b *schemas.Builder) *schemas.Builder {
	if s.Name != "" {
		b.Name(s.Name)
	}
	if s.Version != nil {
		b.Version(*s.Version)
	}
	if s.Doc != "" {
		b.Doc(s.Doc)
	}
	if len(s.Parameters) > 0 {
		for _, k := range s.ParameterNames() {
			b.Parameter(k, s.Parameters[k])
		}
	}
	return b
}

// schemaCache remembers the schema a transformation derived from an input
// schema. Schemas are immutable and converters reuse them, so the pointer
// is the key. Like Kafka Connect's 16-entry LRU it is bounded; it simply
// starts over when full.
type schemaCache struct {
	m map[*schemas.Schema]*schemas.Schema
}

const schemaCacheSize = 16

func (c *schemaCache) get(in *schemas.Schema) (*schemas.Schema, bool) {
	out, ok := c.m[in]
	return out, ok
}

func (c *schemaCache) put(in, out *schemas.Schema) {
	if c.m == nil || len(c.m) >= schemaCacheSize {
		c.m = make(map[*schemas.Schema]*schemas.Schema, schemaCacheSize)
	}
	c.m[in] = out
}
