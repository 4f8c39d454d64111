package runtime

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/sluicehq/sluice/runtime/herder"
)

// TestKafkaWatchKeepsTheState checks what a task's status says while it
// waits for Kafka: a task that has not reported yet reports RUNNING (or
// PAUSED, its target) with the note, and a task that has reported keeps
// its state, only the note changing.
func TestKafkaWatchKeepsTheState(t *testing.T) {
	type report struct {
		state herder.State
		noted bool
	}
	cases := []struct {
		name   string
		target herder.TargetState
		before func(*taskState) // what the task reported before the wait
		want   []report
	}{
		{"running task", herder.TargetStarted, (*taskState).running,
			[]report{{herder.Running, false}, {herder.Running, true}, {herder.Running, false}}},
		{"paused task", herder.TargetPaused, func(s *taskState) { s.setCurrent(herder.Paused) },
			[]report{{herder.Paused, false}, {herder.Paused, true}, {herder.Paused, false}}},
		{"task not started yet", herder.TargetStarted, func(*taskState) {},
			[]report{{herder.Running, true}, {herder.Running, false}}},
		{"paused task not started yet", herder.TargetPaused, func(*taskState) {},
			[]report{{herder.Paused, true}, {herder.Paused, false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []report
			state := newTaskState(tc.target, func(st herder.State, note string) {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, report{st, strings.HasPrefix(note, "Waiting for Kafka since")})
			})
			tc.before(state)
			watch := newKafkaWatch(state, slog.New(slog.NewTextHandler(io.Discard, nil)))
			watch.Begin(errors.New("connection refused"))
			watch.End(false)
			mu.Lock()
			defer mu.Unlock()
			if len(got) != len(tc.want) {
				t.Fatalf("reports %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("reports %v, want %v", got, tc.want)
				}
			}
		})
	}
}
