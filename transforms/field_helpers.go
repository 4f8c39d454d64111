package transforms

import (
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// Helpers shared by the transformations that work on the fields of a Struct
// or a schemaless map: Cast, ExtractField, Flatten, HoistField, MaskField,
// ReplaceField and ValueToKey.

// replaceNullConfig is the key, common to most field transformations, that
// decides whether a null field with a default reads as its default.
const replaceNullConfig = "replace.null.with.default"

// replaceNullKey defines replaceNullConfig.
func replaceNullKey() config.Key {
	return config.Key{Name: replaceNullConfig, Type: config.Boolean, Default: true, Importance: config.Medium,
		Doc: "When true, a field that is null but whose schema has a default value is read as that default; when false it stays null."}
}

// fieldAt returns the value of the i-th field of st, or the field's default
// when the value is null and withDefault is set (Struct.get versus
// Struct.getWithoutDefault in Kafka Connect).
func fieldAt(st *schemas.Struct, i int, withDefault bool) any {
	v := st.At(i)
	if v == nil && withDefault {
		return st.Schema().Fields[i].Schema.Default
	}
	return v
}

// fieldPos returns the position of the field called name in the STRUCT
// schema s, or -1.
func fieldPos(s *schemas.Schema, name string) int {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return i
		}
	}
	return -1
}

// sameSchema reports whether a Struct of schema got can be read by the
// field positions of want: the same schema, or an equal one.
func sameSchema(got, want *schemas.Schema) bool {
	return got == want || got.Equal(want)
}

// javaClass names v's class as Java's Class.toString does: "class
// java.lang.Integer", for messages that print value.getClass().
func javaClass(v any) string {
	return "class " + JavaClassName(v)
}

// splitColon splits s on ':' as Java's String.split(":") does: trailing
// empty strings are dropped, and a string without ':' is returned whole
// (even when empty).
func splitColon(s string) []string {
	parts := strings.Split(s, ":")
	if len(parts) == 1 {
		return parts
	}
	n := len(parts)
	for n > 0 && parts[n-1] == "" {
		n--
	}
	return parts[:n]
}

// nonEmptyList rejects a null or empty list with the message of Kafka
// Connect's NonEmptyListValidator.
func nonEmptyList() config.Validator {
	return config.ValidatorFunc(func(name string, value any) error {
		if l, _ := value.([]string); len(l) == 0 {
			return &config.ValueError{Name: name, Value: value, Reason: "Empty list"}
		}
		return nil
	}, "non-empty list")
}

// derivedCache is schemaCache for derivations that carry more than a
// schema, such as the field positions a new Struct is filled from. It is
// bounded the same way.
type derivedCache[T any] struct {
	m map[*schemas.Schema]T
}

func (c *derivedCache[T]) get(in *schemas.Schema) (T, bool) {
	out, ok := c.m[in]
	return out, ok
}

func (c *derivedCache[T]) put(in *schemas.Schema, out T) {
	if c.m == nil || len(c.m) >= schemaCacheSize {
		c.m = make(map[*schemas.Schema]T, schemaCacheSize)
	}
	c.m[in] = out
}
