package kafka

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/eapache/go-resiliency/breaker"
)

// TestRetryLogsOncePerChangeOfState: through many failures, whatever their
// error, one WARN when the operation starts failing (none while Quiet
// lasts) and one line when it succeeds again.
func TestRetryLogsOncePerChangeOfState(t *testing.T) {
	for _, tc := range []struct {
		name  string
		quiet time.Duration
		want  []string // levels and messages logged at INFO and above
	}{
		{"warns at once", 0, []string{"WARN op failed; retrying until it succeeds", "INFO op succeeded after failing"}},
		{"quiet lag", time.Hour, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			rl := &RetryLog{Log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})), What: "op", Quiet: tc.quiet}
			errs := []error{sarama.ErrOutOfBrokers, fmt.Errorf("x: %w", sarama.ErrNotLeaderForPartition), breaker.ErrBreakerOpen, nil}
			n := 0
			err := Retry(context.Background(), nil, rl, nil, func() error {
				err := errs[n]
				n++
				return err
			})
			if err != nil || n != len(errs) {
				t.Fatalf("Retry = %v after %d calls, want success after %d", err, n, len(errs))
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if l == "" {
					continue
				}
				level := strings.TrimPrefix(strings.Fields(l)[1], "level=")
				msg := l[strings.Index(l, `msg="`)+5:]
				got = append(got, level+" "+msg[:strings.Index(msg, `"`)])
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("logged %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRetryStops: a non-retriable error ends Retry at once; the end of
// its context or its stop channel ends the wait, with the last error.
func TestRetryStops(t *testing.T) {
	final := fmt.Errorf("x: %w", sarama.ErrTopicAuthorizationFailed)
	if err := Retry(context.Background(), nil, &RetryLog{What: "op"}, nil, func() error { return final }); err != final {
		t.Errorf("Retry with a non-retriable error = %v, want it as is", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := Retry(ctx, nil, &RetryLog{What: "op", Quiet: time.Hour}, nil, func() error { return sarama.ErrOutOfBrokers })
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), sarama.ErrOutOfBrokers.Error()) {
		t.Errorf("Retry until the deadline = %v", err)
	}
	stop := make(chan struct{})
	close(stop)
	err = Retry(context.Background(), stop, &RetryLog{What: "op", Quiet: time.Hour}, nil, func() error { return sarama.ErrOutOfBrokers })
	if !errors.Is(err, errStopped) {
		t.Errorf("Retry after stop = %v", err)
	}
}

func TestRetriableOutageErrors(t *testing.T) {
	for _, err := range []error{io.EOF, fmt.Errorf("write: %w", io.ErrUnexpectedEOF), breaker.ErrBreakerOpen} {
		if !Retriable(err) {
			t.Errorf("Retriable(%v) = false, want true: a broker going away fails requests so", err)
		}
	}
}
