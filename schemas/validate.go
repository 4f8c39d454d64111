package schemas

import (
	"fmt"
	"math/big"
	"time"
)

// Validate checks that value can be used with s, as Kafka Connect's
// ConnectSchema.validateValue: its Go type matches the schema type (or the
// logical type named by the schema), null is used only where the schema is
// optional, and elements, map entries and struct fields are valid in turn.
// It checks Go types only: whether a logical value can be encoded (a Date
// at midnight, a Decimal exact at its scale) is checked on conversion.
func (s *Schema) Validate(value any) error {
	return validateValue(s, value, "value")
}

// isNull reports whether v is Connect null: a nil interface or a nil
// pointer of a type that stands for a value (*Struct, *big.Rat).
func isNull(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *Struct:
		return x == nil
	case *big.Rat:
		return x == nil
	}
	return false
}

func validateValue(s *Schema, v any, loc string) error {
	if s == nil {
		return DataErrorf("No schema defined for %s", loc)
	}
	if isNull(v) {
		if !s.Optional {
			return DataErrorf("Invalid value: null used for required %s, schema type: %v", loc, s.Type)
		}
		return nil
	}
	ok := false
	switch s.Name {
	case DecimalName:
		_, ok = v.(*big.Rat)
		return mismatch(s, v, loc, ok, "*big.Rat")
	case DateName, TimeName, TimestampName:
		_, ok = v.(time.Time)
		return mismatch(s, v, loc, ok, "time.Time")
	}
	switch s.Type {
	case TypeInt8:
		_, ok = v.(int8)
	case TypeInt16:
		_, ok = v.(int16)
	case TypeInt32:
		_, ok = v.(int32)
	case TypeInt64:
		_, ok = v.(int64)
	case TypeFloat32:
		_, ok = v.(float32)
	case TypeFloat64:
		_, ok = v.(float64)
	case TypeBoolean:
		_, ok = v.(bool)
	case TypeString:
		_, ok = v.(string)
	case TypeBytes:
		_, ok = v.([]byte)
	case TypeArray:
		arr, isArr := v.([]any)
		if !isArr {
			break
		}
		for _, e := range arr {
			if validateValue(s.Value, e, "") != nil {
				// Build the location only on failure: it costs an allocation.
				return validateValue(s.Value, e, "element of array "+loc)
			}
		}
		return nil
	case TypeMap:
		switch m := v.(type) {
		case map[string]any:
			for k, e := range m {
				if err := validateEntry(s, k, e, loc); err != nil {
					return err
				}
			}
			return nil
		case map[any]any:
			for k, e := range m {
				if err := validateEntry(s, k, e, loc); err != nil {
					return err
				}
			}
			return nil
		}
	case TypeStruct:
		st, isStruct := v.(*Struct)
		if !isStruct {
			break
		}
		if !st.schema.Equal(s) {
			return DataErrorf("Struct schemas do not match for %s: got %v, want %v", loc, st.schema, s)
		}
		return st.Validate()
	}
	return mismatch(s, v, loc, ok, goTypeFor(s.Type))
}

// validateEntry checks one map entry, building its location only on failure.
func validateEntry(s *Schema, k, v any, loc string) error {
	if validateValue(s.Key, k, "") != nil {
		return validateValue(s.Key, k, "key of map "+loc)
	}
	if validateValue(s.Value, v, "") != nil {
		return validateValue(s.Value, v, "value of map "+loc)
	}
	return nil
}

// validateField checks the value of a struct field, building the location
// only on failure.
func validateField(f *Field, v any) error {
	if validateValue(f.Schema, v, "") == nil {
		return nil
	}
	return validateValue(f.Schema, v, fieldLoc(f.Name))
}

func mismatch(s *Schema, v any, loc string, ok bool, want string) error {
	if ok {
		return nil
	}
	name := ""
	if s.Name != "" {
		name = fmt.Sprintf(" %q", s.Name)
	}
	return DataErrorf("Invalid Go value for schema%s with type %v: %T (want %s) for %s", name, s.Type, v, want, loc)
}

// goTypeFor names the Go type that carries values of t.
func goTypeFor(t Type) string {
	switch t {
	case TypeInt8:
		return "int8"
	case TypeInt16:
		return "int16"
	case TypeInt32:
		return "int32"
	case TypeInt64:
		return "int64"
	case TypeFloat32:
		return "float32"
	case TypeFloat64:
		return "float64"
	case TypeBoolean:
		return "bool"
	case TypeString:
		return "string"
	case TypeBytes:
		return "[]byte"
	case TypeArray:
		return "[]any"
	case TypeMap:
		return "map[string]any or map[any]any"
	case TypeStruct:
		return "*schemas.Struct"
	}
	return "a value of a known type"
}
