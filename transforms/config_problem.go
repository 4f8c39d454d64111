package transforms

import "github.com/sluicehq/sluice/config"

// configProblem is a configuration error found after parsing, e.g. one that
// involves two keys, in the same shape as the errors of config.Def.Parse.
func configProblem(key, message string) error {
	return &config.Error{Problems: []config.Problem{{Key: key, Message: message}}}
}

// invalidValue is configProblem for one key's value, worded as Java's
// ConfigException(name, value, reason).
func invalidValue(key string, value any, reason string) error {
	return configProblem(key, (&config.ValueError{Name: key, Value: value, Reason: reason}).Error())
}
