package runtime

import (
	"context"
	"log/slog"
	"time"

	"github.com/sluicehq/sluice/runtime/kafka"
)

// Backoff of a task call (Poll, Put) that failed with a retriable error:
// 100 ms (Kafka's retry.backoff.ms), doubling up to 10 s. Kafka Connect
// polls again at once after a retriable Poll error and redelivers a batch
// after a retriable Put error when the task's context timeout (else the
// offset commit interval) has passed; a backoff spares an external system
// that is down the load of a task calling it in a tight loop, and a task
// that wants its own wait for Put sets it with SinkTaskContext.Timeout.
const (
	taskRetryMin = 100 * time.Millisecond
	taskRetryMax = 10 * time.Second
)

// taskRetry is the backoff and the log of one task call retried after
// retriable errors. It is owned by the task's goroutine.
type taskRetry struct {
	wait time.Duration // the last wait; 0 after a success
	log  kafka.RetryLog
	// after is the timer (time.After; a test's own clock).
	after func(time.Duration) <-chan time.Time
}

func newTaskRetry(log *slog.Logger, what string) *taskRetry {
	return &taskRetry{log: kafka.RetryLog{Log: log, What: what}}
}

// failed records a retriable failure and returns a channel that fires when
// the call may be made again: after fixed when it is positive (the task
// chose its wait), else after the next step of the backoff. The log has a
// WARN at the first failure of a run, DEBUG for the next ones and an INFO
// when the call succeeds again, so a task retrying for an hour logs two
// lines.
func (r *taskRetry) failed(err error, fixed time.Duration) <-chan time.Time {
	r.wait = min(max(2*r.wait, taskRetryMin), taskRetryMax)
	wait := r.wait
	if fixed > 0 {
		wait = fixed
	}
	r.log.Failed(err, wait)
	if r.after != nil {
		return r.after(wait)
	}
	return time.After(wait)
}

// succeeded resets the backoff after a successful call.
func (r *taskRetry) succeeded() {
	r.wait = 0
	r.log.Succeeded()
}

// awaitRetry waits for retry to fire, or returns early when ctx ends, done
// closes (nil: never), the task is paused already (a pause asked for while
// the failed call ran) or its target state changes (a pause or a stop must
// not wait for the backoff).
func (s *taskState) awaitRetry(ctx context.Context, retry <-chan time.Time, done <-chan struct{}) {
	paused, changed := s.paused()
	if paused {
		return
	}
	select {
	case <-retry:
	case <-changed:
	case <-done:
	case <-ctx.Done():
	}
}
