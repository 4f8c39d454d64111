package config

import "strings"

// Problem is one thing wrong with a set of properties.
type Problem struct {
	// Key is the name of the configuration key concerned.
	Key string
	// Message says what is wrong, in the words of Java's ConfigException,
	// e.g. "Invalid value abc for configuration batch.size: Not a number of type INT".
	Message string
}

// Error is every problem Parse found, in definition order of the keys.
type Error struct {
	Problems []Problem
}

// Error returns the problems' messages joined by "; ".
func (e *Error) Error() string {
	if len(e.Problems) == 0 {
		return "invalid configuration"
	}
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "; ")
}

// ValueError is a value rejected by parsing or by a validator; its message has
// the shape of Java's ConfigException(name, value, message):
// "Invalid value V for configuration NAME: REASON".
//
// Validators may return a *ValueError to control which value is named (e.g. one
// element of a list); any other error is wrapped into one by Def, with the
// error's text as Reason. Secret values print as "[hidden]".
type ValueError struct {
	// Name is the configuration key; Def fills it in when empty.
	Name string
	// Value is the rejected value: the raw string for parse errors, the parsed
	// value (or part of it) for validator errors.
	Value any
	// Reason says what was expected, e.g. "Value must be at least 1".
	Reason string
}

// Error returns "Invalid value V for configuration NAME: REASON".
func (e *ValueError) Error() string {
	msg := "Invalid value " + formatValue(e.Value) + " for configuration " + e.Name
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}
