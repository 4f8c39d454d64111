package distributed

import (
	"errors"
	"testing"
	"time"
)

func TestJavaInstant(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), "2025-01-02T03:04:05Z"},
		{time.Date(2025, 1, 2, 3, 4, 5, 120_000_000, time.UTC), "2025-01-02T03:04:05.120Z"},
		{time.Date(2025, 1, 2, 3, 4, 5, 123_456_789, time.FixedZone("x", 3600)), "2025-01-02T02:04:05.123Z"},
	} {
		if got := javaInstant(tc.t); got != tc.want {
			t.Errorf("javaInstant(%v) = %s, want %s", tc.t, got, tc.want)
		}
	}
}

func TestStartupSummary(t *testing.T) {
	var s startup
	if got := s.summary(); got != "" {
		t.Fatalf("summary before any stage = %q, want empty", got)
	}
	s.begin("reading the config topic c (config.storage.topic)")
	s.mu.Lock()
	s.began = time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	s.mu.Unlock()
	want := "The worker is currently reading the config topic c (config.storage.topic), which began at 2025-01-02T03:04:05.678Z."
	if got := s.summary(); got != want {
		t.Fatalf("summary = %q, want %q", got, want)
	}
	s.failed(errors.New("kafka: client has run out of available brokers to talk to"))
	if got, w := s.summary(), want+" Last error, retried until it succeeds: kafka: client has run out of available brokers to talk to"; got != w {
		t.Fatalf("summary after a failure = %q, want %q", got, w)
	}
	s.begin("joining the group g")
	if got := s.summary(); got == "" || got[len(got)-1] != '.' {
		t.Fatalf("a new stage keeps the last stage's error: %q", got)
	}
}
