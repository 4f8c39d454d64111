package distributed

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/runtime/kafka"
)

// startup is what a starting worker is doing, for /health and for the
// REST requests that time out meanwhile (Kafka Connect's tick thread
// Stage): a description, when it began, and the last retriable error it
// is waiting out.
type startup struct {
	mu      sync.Mutex
	what    string
	began   time.Time
	lastErr error
}

// begin records the start of a stage.
func (s *startup) begin(what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.what, s.began, s.lastErr = what, time.Now(), nil
}

// failed records a retriable error the stage waits out.
func (s *startup) failed(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastErr = err
}

// summary is Kafka Connect's Stage.summarize, with the error waited out:
// "The worker is currently <what>, which began at <instant>."
func (s *startup) summary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.what == "" {
		return ""
	}
	out := fmt.Sprintf("The worker is currently %s, which began at %s.", s.what, javaInstant(s.began))
	if s.lastErr != nil {
		out += " Last error, retried until it succeeds: " + s.lastErr.Error()
	}
	return out
}

// javaInstant formats t as Java's Instant.toString does at millisecond
// precision.
func javaInstant(t time.Time) string {
	t = t.UTC().Truncate(time.Millisecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

// start creates or checks the internal topics and reads the offset,
// status and config topics (DistributedHerder.startServices). It waits
// out every retriable Kafka error for as long as ctx lasts, logging once
// per change of state; another error (a misconfigured topic, no
// authorization) ends it.
func (h *Herder) start(ctx context.Context) error {
	cfg := h.cfg
	// ensureTopics is one attempt, retried here; a store's Start waits out
	// retriable errors itself (and cannot be called twice), so an error
	// it returns ends the start-up.
	steps := []struct {
		what  string
		run   func(context.Context) error
		retry bool
	}{
		{fmt.Sprintf("creating or checking the internal topics %s, %s and %s", cfg.ConfigTopic, cfg.OffsetTopic, cfg.StatusTopic),
			h.stores.ensureTopics, true},
		{fmt.Sprintf("reading the offset topic %s (%s)", cfg.OffsetTopic, OffsetTopic), h.offsets.Start, false},
		{fmt.Sprintf("reading the status topic %s (%s)", cfg.StatusTopic, StatusTopic), h.status.Start, false},
		{fmt.Sprintf("reading the config topic %s (%s)", cfg.ConfigTopic, ConfigTopic), h.configs.Start, false},
	}
	for _, step := range steps {
		h.startup.begin(step.what)
		if !step.retry {
			if err := step.run(ctx); err != nil {
				return err
			}
			continue
		}
		rl := &kafka.RetryLog{Log: logging.Named(h.log, "sluice.startup"), What: step.what}
		if err := kafka.Retry(ctx, nil, rl, h.startup.failed, func() error { return step.run(ctx) }); err != nil {
			return err
		}
	}
	return nil
}
