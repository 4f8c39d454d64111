package connectors

import "errors"

// retriable marks an error after which the runtime retries the same call.
type retriable struct{ err error }

func (r retriable) Error() string { return r.err.Error() }
func (r retriable) Unwrap() error { return r.err }

// Retriable marks err as transient: the runtime retries the call (Poll or
// Put) instead of failing the task, as for Kafka Connect's RetriableException.
func Retriable(err error) error {
	if err == nil {
		return nil
	}
	return retriable{err}
}

// IsRetriable reports whether err, or an error it wraps, was marked Retriable.
func IsRetriable(err error) bool {
	var r retriable
	return errors.As(err, &r)
}
