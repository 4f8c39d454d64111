package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Backoff between attempts of an operation that failed with a retriable
// error: it doubles from retryBackoffMin up to retryBackoffMax, as the Java
// clients' retry.backoff.ms (100 ms) and retry.backoff.max.ms (1 s).
const (
	retryBackoffMin = 100 * time.Millisecond
	retryBackoffMax = time.Second
)

// errStopped is Retry's error when its stop channel closes.
var errStopped = errors.New("stopped")

// nextBackoff returns the wait after d (0 before the first retry).
func nextBackoff(d, lo, hi time.Duration) time.Duration {
	return min(max(2*d, lo), hi)
}

// RetryLog logs the attempts of one operation that is retried while it
// fails with retriable errors: a WARN at the first failure (or the first
// one after Quiet), DEBUG for the next ones (whatever their error: in an outage it alternates between
// "connection refused", "out of brokers" and the like), and an INFO once
// it succeeds after failing. A caller that retries every 100 ms through a
// minute-long outage so logs two lines, not six hundred.
type RetryLog struct {
	// Log receives the lines; nil means slog.Default().
	Log *slog.Logger
	// What names the operation in every line, e.g. "read the status topic
	// connect-status".
	What string
	// Attrs are added to every line.
	Attrs []any
	// Quiet is how long failures are only DEBUG before the WARN: a lag
	// that Kafka's metadata routinely has for a moment (a topic just
	// created) is no news.
	Quiet time.Duration

	failing  bool
	warned   bool
	attempts int
	since    time.Time
}

func (r *RetryLog) logger() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}

// Failed records a failed attempt that is about to be retried after wait.
func (r *RetryLog) Failed(err error, wait time.Duration) {
	r.attempts++
	attrs := append([]any{"error", err.Error(), "attempt", r.attempts, "retry_in", wait}, r.Attrs...)
	if !r.failing {
		r.failing, r.since = true, time.Now()
	}
	if !r.warned && time.Since(r.since) >= r.Quiet {
		r.warned = true
		r.logger().Warn(r.What+" failed; retrying until it succeeds", attrs...)
		return
	}
	r.logger().Debug(r.What+" failed; retrying", attrs...)
}

// Succeeded records a successful attempt.
func (r *RetryLog) Succeeded() {
	if r.failing {
		level := slog.LevelDebug
		if r.warned {
			level = slog.LevelInfo
		}
		r.logger().Log(context.Background(), level, r.What+" succeeded after failing", append([]any{"attempts", r.attempts + 1,
			"failing_for", time.Since(r.since).Round(time.Millisecond)}, r.Attrs...)...)
	}
	r.failing, r.warned, r.attempts = false, false, 0
}

// Failing reports whether the last attempt failed.
func (r *RetryLog) Failing() bool { return r.failing }

// Retry calls f until it succeeds or fails with an error that Retriable
// rejects, waiting a backoff (100 ms doubling up to 1 s) between attempts
// and logging through rl. It returns f's last error when that error is not
// retriable, and ctx's error (with the last failure) when ctx ends or stop
// is closed first. onFailure, if not nil, sees every retriable failure.
func Retry(ctx context.Context, stop <-chan struct{}, rl *RetryLog, onFailure func(error), f func() error) error {
	var backoff time.Duration
	for {
		err := f()
		if err == nil {
			rl.Succeeded()
			return nil
		}
		if !Retriable(err) {
			if IsSecurityError(err) {
				return fmt.Errorf("%s: %w", rl.What, ExplainSecurity(err, ""))
			}
			return err
		}
		if onFailure != nil {
			onFailure(err)
		}
		backoff = nextBackoff(backoff, retryBackoffMin, retryBackoffMax)
		rl.Failed(err, backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w (last error: %v)", rl.What, ctx.Err(), err)
		case <-stop:
			t.Stop()
			return fmt.Errorf("%s: %w (last error: %v)", rl.What, errStopped, err)
		case <-t.C:
		}
	}
}
