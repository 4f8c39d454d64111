// Package connerr holds the two error kinds a connector, converter or
// transformation returns to tell the runtime what to do with a failure:
// Retriable (try the same call again) and DataError (this record's data is
// at fault). It imports nothing of sluice, so that any package — the data
// model in schemas, a converter, a connector — can use it.
//
// The runtime tests errors with IsRetriable and errors.As(err, **DataError),
// so both survive wrapping with fmt.Errorf("...: %w", err).
//
// A retriable error from SourceTask.Poll or SinkTask.Put makes the runtime
// call Poll or Put again (with the same records for Put) after a backoff;
// in a converter or transformation it is retried as the connector's
// errors.retry.timeout and errors.retry.delay.max.ms say. Any other error
// fails the task, or, in a converter or transformation with
// errors.tolerance=all, skips the record.
package connerr

import (
	"errors"
	"fmt"
)

// retriable marks an error after which the runtime retries the same call.
type retriable struct{ err error }

func (r retriable) Error() string { return r.err.Error() }
func (r retriable) Unwrap() error { return r.err }

// Retriable marks err as transient, as Kafka Connect's RetriableException
// does: the runtime retries the call (Poll, Put, a conversion or a
// transformation) instead of failing the task. Retriable(nil) is nil.
func Retriable(err error) error {
	if err == nil {
		return nil
	}
	return retriable{err}
}

// IsRetriable reports whether err, or an error it wraps, was marked
// Retriable.
func IsRetriable(err error) bool {
	var r retriable
	return errors.As(err, &r)
}

// DataError reports data that does not fit its schema or cannot be
// converted, like Kafka Connect's DataException. Converters and the data
// model return it (possibly wrapped); test with errors.As.
type DataError struct {
	msg string
	err error
}

// DataErrorf returns a *DataError formatted as fmt.Errorf would format it;
// a %w verb wraps its operand.
func DataErrorf(format string, args ...any) error {
	e := fmt.Errorf(format, args...)
	return &DataError{msg: e.Error(), err: errors.Unwrap(e)}
}

// Error returns the message.
func (e *DataError) Error() string { return e.msg }

// Unwrap returns the wrapped cause, if any.
func (e *DataError) Unwrap() error { return e.err }
