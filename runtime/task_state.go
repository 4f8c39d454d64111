package runtime

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
	"github.com/sluicehq/sluice/schemas"
)

// converters are the converters a task uses.
type converters struct {
	key, value schemas.Converter
	header     schemas.HeaderConverter
	// The converters' class names, for error reports.
	keyClass, valueClass, headerClass string
}

// taskState holds a task's target state (STARTED or PAUSED) and reports its
// runtime state to the status store, with a note (shown as the status's
// trace) while the task waits for something, such as Kafka.
type taskState struct {
	mu      sync.Mutex
	target  herder.TargetState
	changed chan struct{} // closed and replaced on every target change
	current herder.State
	note    string
	closed  bool // the task is being stopped: nothing more is reported

	// reportMu keeps reports in the order of the changes they report.
	reportMu sync.Mutex
	report   func(st herder.State, note string)
	// onWait, if set, hears when the task begins and ends waiting for
	// Kafka (the worker's count for GET /health).
	onWait func(waiting bool, since time.Time, cause error)
	// metrics are the task's counters, kept across automatic restarts.
	metrics *TaskMetrics
}

func newTaskState(target herder.TargetState, report func(herder.State, string)) *taskState {
	return &taskState{target: target, changed: make(chan struct{}), report: report}
}

func (s *taskState) setTarget(t herder.TargetState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.target == t {
		return
	}
	s.target = t
	close(s.changed)
	s.changed = make(chan struct{})
}

// state is the task's runtime state.
func (s *taskState) state() herder.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

func (s *taskState) setCurrent(st herder.State) {
	s.reportMu.Lock()
	defer s.reportMu.Unlock()
	s.mu.Lock()
	changed := s.current != st && !s.closed
	s.current = st
	note := s.note
	s.mu.Unlock()
	if changed {
		s.report(st, note)
	}
}

// close stops the reports: the task is being stopped, and a RUNNING (with
// or without a note) written now could land after the UNASSIGNED the herder
// writes once it stopped, or after another worker's RUNNING.
func (s *taskState) close() {
	s.reportMu.Lock()
	defer s.reportMu.Unlock()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// setNote sets (or, with "", clears) the note of a running or paused task
// and reports it.
func (s *taskState) setNote(note string) {
	s.reportMu.Lock()
	defer s.reportMu.Unlock()
	s.mu.Lock()
	changed := s.note != note && !s.closed
	s.note = note
	st := s.current
	s.mu.Unlock()
	if changed && (st == herder.Running || st == herder.Paused) {
		s.report(st, note)
	}
}

// forget clears the reported state without reporting, so that a task
// started again after a failure reports RUNNING again.
func (s *taskState) forget() {
	s.mu.Lock()
	s.current, s.note = "", ""
	s.mu.Unlock()
}

func (s *taskState) running() { s.setCurrent(herder.Running) }

// reportStarted reports the task RUNNING, or PAUSED when that is its
// target, unless it has reported a state already: a task that waits for
// Kafka while paused stays PAUSED.
func (s *taskState) reportStarted() {
	s.reportMu.Lock()
	defer s.reportMu.Unlock()
	s.mu.Lock()
	if s.current != "" || s.closed {
		s.mu.Unlock()
		return
	}
	st := herder.Running
	if s.target == herder.TargetPaused {
		st = herder.Paused
	}
	s.current = st
	note := s.note
	s.mu.Unlock()
	s.report(st, note)
}

// paused reports whether the target is PAUSED, and a channel closed on the
// next change.
func (s *taskState) paused() (bool, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.target == herder.TargetPaused, s.changed
}

// awaitRunnable returns at once unless the task is paused; then it reports
// PAUSED and waits for a resume (reporting RUNNING), ctx to end (returning
// its error) or the task to fail on its own (died, see failer; returning
// that error wrapped in errDied).
func (s *taskState) awaitRunnable(ctx context.Context, died <-chan error) error {
	for {
		p, ch := s.paused()
		if !p {
			s.setCurrent(herder.Running)
			return ctx.Err()
		}
		s.setCurrent(herder.Paused)
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case err := <-died:
			return &diedError{err}
		}
	}
}

// diedError is a task's failure between calls, while it was paused.
type diedError struct{ err error }

func (e *diedError) Error() string { return e.err.Error() }
func (e *diedError) Unwrap() error { return e.err }

// newKafkaWatch returns the watch of a task's Kafka clients: while they wait
// for Kafka, the task's status carries a note saying so and since when,
// and the log says it once when the wait begins and once when it ends.
func newKafkaWatch(state *taskState, log *slog.Logger) *kafka.Watch {
	return &kafka.Watch{OnChange: func(c kafka.WaitChange) {
		if state.onWait != nil {
			state.onWait(c.Waiting, c.Since, c.Cause)
		}
		switch {
		case c.Waiting:
			log.Warn("waiting for Kafka; the task goes on when Kafka can be reached", "cause", c.Cause)
			state.setNote(fmt.Sprintf("Waiting for Kafka since %s: %v. The task has not failed: "+
				"it goes on, in order, when Kafka can be reached again.", c.Since.UTC().Format(time.RFC3339), c.Cause))
			// A task that waits for Kafka before it could start sending runs
			// (or is paused) for all that: it says so with its note.
			state.reportStarted()
		case c.GaveUp:
			log.Info("stopped waiting for Kafka: the task stops", "waited", time.Since(c.Since).Round(time.Millisecond))
			state.setNote("")
		default:
			log.Info("Kafka can be reached again; the task goes on", "waited", time.Since(c.Since).Round(time.Millisecond))
			state.setNote("")
		}
	}}
}
