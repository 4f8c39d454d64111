package kafka

import (
	"context"
	"errors"
	"math"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// deadAddr returns a loopback address nobody listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestWaitingClientWaitsAndAborts: without a reachable broker, a lookup
// waits (the watch hears of it once) instead of failing, and Abort ends
// the wait at once with ErrAborted.
func TestWaitingClientWaitsAndAborts(t *testing.T) {
	var mu sync.Mutex
	var changes []WaitChange
	began := make(chan struct{})
	watch := &Watch{OnChange: func(c WaitChange) {
		mu.Lock()
		defer mu.Unlock()
		changes = append(changes, c)
		if c.Waiting {
			if c.Cause == nil || !Retriable(c.Cause) {
				t.Errorf("wait cause %v is not a retriable error", c.Cause)
			}
			close(began)
		}
	}}
	cfg := sarama.NewConfig()
	cfg.Version = Version
	cfg.Metadata.Retry.Max = 0
	c, err := NewWaitingClient([]string{deadAddr(t)}, cfg, watch)
	if err != nil {
		t.Fatalf("creating a client must not need a broker: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Partitions("t")
		done <- err
	}()
	<-began
	select {
	case err := <-done:
		t.Fatalf("Partitions returned %v while Kafka is away; it must wait", err)
	case <-time.After(300 * time.Millisecond):
	}
	c.Abort()
	select {
	case err := <-done:
		if !errors.Is(err, ErrAborted) || !errors.Is(err, sarama.ErrClosedClient) {
			t.Fatalf("Partitions after Abort = %v, want ErrAborted", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Abort did not end the wait")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(changes) != 2 || !changes[0].Waiting || changes[1].Waiting || !changes[1].GaveUp {
		t.Fatalf("watch changes %+v, want a wait begun, then given up", changes)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close after Abort = %v", err)
	}
}

// TestRetryStopsOnPermanentErrors: RetryWatched returns an error that retrying
// cannot cure at once, and a retriable one only when ctx ends.
func TestRetryStopsOnPermanentErrors(t *testing.T) {
	calls := 0
	err := RetryWatched(context.Background(), nil, "op", func() error { calls++; return sarama.ErrInvalidTopic })
	if !errors.Is(err, sarama.ErrInvalidTopic) || calls != 1 {
		t.Fatalf("RetryWatched = %v after %d calls, want the error after 1", err, calls)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	calls = 0
	err = RetryWatched(ctx, nil, "op", func() error { calls++; return sarama.ErrOutOfBrokers })
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, sarama.ErrOutOfBrokers) || calls < 2 {
		t.Fatalf("RetryWatched = %v after %d calls, want retries until ctx ended", err, calls)
	}
}

// TestProducerSettings: delivery.timeout.ms defaults to Kafka Connect's
// worker default and is read from the producer keys; retries back off
// exponentially up to retry.backoff.max.ms.
func TestProducerSettings(t *testing.T) {
	s, _, err := ProducerConfig("p", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.DeliveryTimeout != DefaultDeliveryTimeout {
		t.Fatalf("default delivery timeout %v", s.DeliveryTimeout)
	}
	f := s.Sarama.Producer.Retry.BackoffFunc
	for retries, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 500: time.Second} {
		if got := f(retries, 1200); got != want {
			t.Errorf("backoff before retry %d = %v, want %v", retries, got, want)
		}
	}
	s, _, err = ProducerConfig("p", map[string]string{"delivery.timeout.ms": "30000", "retry.backoff.ms": "50", "retry.backoff.max.ms": "120"})
	if err != nil {
		t.Fatal(err)
	}
	if s.DeliveryTimeout != 30*time.Second || s.Sarama.Producer.Retry.BackoffFunc(9, 1200) != 120*time.Millisecond {
		t.Fatalf("settings %v, %v", s.DeliveryTimeout, s.Sarama.Producer.Retry.BackoffFunc(9, 1200))
	}
	if _, _, err := ProducerConfig("p", map[string]string{"delivery.timeout.ms": "0"}); err == nil {
		t.Fatal("delivery.timeout.ms=0 accepted")
	}
}

// max.block.ms (how long a source task waits for a missing topic)
// defaults to a minute; Kafka Connect's Long.MAX_VALUE is taken as the
// longest wait a Duration holds; a negative value is refused, naming the
// key.
func TestProducerMaxBlock(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  time.Duration
		err   string
	}{
		{"", DefaultMaxBlock, ""},
		{"1500", 1500 * time.Millisecond, ""},
		{"9223372036854775807", time.Duration(math.MaxInt64/int64(time.Millisecond)) * time.Millisecond, ""},
		{"-1", 0, `invalid value "-1" for configuration max.block.ms: must be a non-negative number of milliseconds`},
		{"soon", 0, `invalid value "soon" for configuration max.block.ms`},
	} {
		props := map[string]string{}
		if tc.value != "" {
			props["max.block.ms"] = tc.value
		}
		s, ignored, err := ProducerConfig("p", props)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("max.block.ms=%s: error %v, want %q", tc.value, err, tc.err)
			}
		case err != nil:
			t.Errorf("max.block.ms=%s: %v", tc.value, err)
		case s.MaxBlock != tc.want || len(ignored.Unsupported) != 0:
			t.Errorf("max.block.ms=%s: %v (ignored %v), want %v", tc.value, s.MaxBlock, ignored.Unsupported, tc.want)
		}
	}
}
