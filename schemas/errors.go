package schemas

import "github.com/sluicehq/sluice/connerr"

// DataError reports data that does not fit its schema or cannot be
// converted, like Kafka Connect's DataException: connerr.DataError, here
// for the data model's callers. Test with errors.As.
type DataError = connerr.DataError

// DataErrorf returns a *DataError formatted as fmt.Errorf would format it;
// a %w verb wraps its operand. It is connerr.DataErrorf.
func DataErrorf(format string, args ...any) error { return connerr.DataErrorf(format, args...) }

// ConfigError reports an invalid configuration value, worded like Kafka's
// ConfigException: "Invalid value X for configuration K: reason".
type ConfigError struct {
	Key    string
	Value  string
	Reason string
}

// Error returns the message.
func (e *ConfigError) Error() string {
	msg := "Invalid value " + e.Value + " for configuration " + e.Key
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}
