package connectors

import "github.com/sluicehq/sluice/connerr"

// Retriable marks err as transient: the runtime retries the call (Poll or
// Put, after a backoff) instead of failing the task, as for Kafka Connect's
// RetriableException. It is connerr.Retriable, which packages that must not
// import connectors (converters) use.
func Retriable(err error) error { return connerr.Retriable(err) }

// IsRetriable reports whether err, or an error it wraps, was marked
// Retriable (by this function or connerr.Retriable).
func IsRetriable(err error) bool { return connerr.IsRetriable(err) }
