package config

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// hidden is what a Secret shows instead of itself, as Java's Password.toString.
const hidden = "[hidden]"

// Secret is the parsed value of a Password key. Every way of printing,
// logging or encoding it (fmt verbs, slog, JSON, text) shows "[hidden]"; call
// Value for the secret itself, e.g. to hand it to a database driver.
//
// fmt cannot call methods on unexported struct fields and prints them raw, so
// a struct that may be printed should hold a Secret in an exported field.
type Secret string

// Value returns the secret itself.
func (s Secret) Value() string { return string(s) }

// String returns "[hidden]".
func (Secret) String() string { return hidden }

// GoString returns a masked Go expression, used by %#v.
func (Secret) GoString() string { return `config.Secret("[hidden]")` }

// Format writes "[hidden]" for every verb (quoted for %q), so that no verb,
// flag or width prints the secret.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q':
		_, _ = io.WriteString(f, strconv.Quote(hidden))
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, s.GoString())
	default:
		_, _ = io.WriteString(f, hidden)
	}
}

// MarshalJSON encodes the secret as "[hidden]".
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + hidden + `"`), nil }

// MarshalText encodes the secret as [hidden].
func (Secret) MarshalText() ([]byte, error) { return []byte(hidden), nil }

// LogValue makes log/slog record "[hidden]".
func (Secret) LogValue() slog.Value { return slog.StringValue(hidden) }
