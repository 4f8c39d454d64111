package events

import (
	"strconv"
	"strings"
	"unicode/utf16"
)

// The naming configuration keys, with Debezium's names.
const (
	SchemaNameAdjustmentModeKey = "schema.name.adjustment.mode"
	FieldNameAdjustmentModeKey  = "field.name.adjustment.mode"
)

// NameAdjustment is schema.name.adjustment.mode or
// field.name.adjustment.mode: how names are made valid Avro names.
type NameAdjustment int

// The adjustment modes.
const (
	// AdjustNone ("none", the default) keeps names as they are.
	AdjustNone NameAdjustment = iota
	// AdjustAvro ("avro") replaces each character Avro does not allow
	// with "_" (a leading digit gets a "_" before it).
	AdjustAvro
	// AdjustAvroUnicode ("avro_unicode") replaces each character Avro does
	// not allow, and "_", with _uXXXX.
	AdjustAvroUnicode
)

var adjustModes = []string{"none", "avro", "avro_unicode"}

// adjustName is Debezium's SchemaNameAdjuster.validFullname: schema names
// (field false) may keep '.', field names may not. Characters are taken as
// Java's UTF-16 units, as Debezium does.
func adjustName(name string, mode NameAdjustment, field bool) string {
	if mode == AdjustNone || name == "" {
		return name
	}
	unicode := mode == AdjustAvroUnicode
	validFirst := func(c uint16) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (!unicode && c == '_')
	}
	validNext := func(c uint16) bool {
		return validFirst(c) || c >= '0' && c <= '9' || (!field && c == '.')
	}
	replace := func(b *strings.Builder, c uint16) {
		if !unicode {
			b.WriteByte('_')
			return
		}
		h := strconv.FormatUint(uint64(c), 16)
		if len(h) <= 2 {
			h = "00" + h
		}
		b.WriteString("_u")
		b.WriteString(h)
	}
	units := utf16.Encode([]rune(name))
	var b strings.Builder
	changed := false
	for i, c := range units {
		ok := validNext(c)
		if i == 0 {
			ok = validFirst(c)
		}
		if ok {
			b.WriteRune(rune(c))
			continue
		}
		changed = true
		replace(&b, c)
		if i == 0 && !unicode && c >= '0' && c <= '9' {
			b.WriteRune(rune(c))
		}
	}
	if !changed {
		return name
	}
	return b.String()
}
