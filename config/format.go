package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/internal/javafmt"
)

// formatValue renders a value as Java's toString would: null, [a, b] for
// lists, Java's Double.toString for doubles, [hidden] for secrets. It is used
// in error messages.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case Secret:
		return hidden
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return javafmt.Double(x)
	case float32:
		return javafmt.Double(float64(x))
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

// renderValue is Java's ConfigDef.convertToString: the string form of a
// parsed value as the REST API shows it, nil for null. Lists are joined with
// "," and secrets are "[hidden]".
func renderValue(v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case []string:
		s = strings.Join(x, ",")
	default:
		s = formatValue(x)
	}
	return &s
}
