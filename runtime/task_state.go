package runtime

import (
	"context"
	"sync"

	"github.com/sluicehq/sluice/runtime/herder"
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
// runtime state to the status store.
type taskState struct {
	mu      sync.Mutex
	target  herder.TargetState
	changed chan struct{} // closed and replaced on every target change
	report  func(herder.State)
	current herder.State
}

func newTaskState(target herder.TargetState, report func(herder.State)) *taskState {
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

func (s *taskState) setCurrent(st herder.State) {
	s.mu.Lock()
	changed := s.current != st
	s.current = st
	s.mu.Unlock()
	if changed {
		s.report(st)
	}
}

// forget clears the reported state without reporting, so that a task
// started again after a failure reports RUNNING again.
func (s *taskState) forget() {
	s.mu.Lock()
	s.current = ""
	s.mu.Unlock()
}

func (s *taskState) running() { s.setCurrent(herder.Running) }

// paused reports whether the target is PAUSED, and a channel closed on the
// next change.
func (s *taskState) paused() (bool, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.target == herder.TargetPaused, s.changed
}

// awaitRunnable returns at once unless the task is paused; then it reports
// PAUSED and waits for a resume (reporting RUNNING) or ctx to end (returning
// its error).
func (s *taskState) awaitRunnable(ctx context.Context) error {
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
		}
	}
}
