package distributed

import (
	"testing"

	"github.com/sluicehq/sluice/runtime/storage"
)

// TestTasksChanged: new task configurations are written when Kafka
// Connect's AbstractHerder.taskConfigsChanged would write them: another
// count, a task whose map differs, an inconsistent committed set, or a
// connector config changed since the last commit; equal maps (key order
// is not part of a map) under an unchanged connector config are not.
func TestTasksChanged(t *testing.T) {
	cfg := map[string]string{"connector.class": "FileStreamSource", "file": "${file:/s.properties:f}", "topic": "t"}
	task := map[string]string{"connector.class": "FileStreamSource", "file": "${file:/s.properties:f}", "topic": "t", "task.class": "T"}
	snap := func(mutate func(*storage.ConfigSnapshot)) storage.ConfigSnapshot {
		s := storage.ConfigSnapshot{
			Configs:        map[string]map[string]string{"c": cfg},
			AppliedConfigs: map[string]map[string]string{"c": {"connector.class": "FileStreamSource", "file": "${file:/s.properties:f}", "topic": "t"}},
			TaskConfigs:    map[string][]map[string]string{"c": {task}},
			Inconsistent:   map[string]bool{},
		}
		if mutate != nil {
			mutate(&s)
		}
		return s
	}
	for _, tc := range []struct {
		name  string
		snap  storage.ConfigSnapshot
		tasks []map[string]string
		want  bool
	}{
		{"equal", snap(nil), []map[string]string{{"task.class": "T", "topic": "t", "file": "${file:/s.properties:f}", "connector.class": "FileStreamSource"}}, false},
		{"a value differs", snap(nil), []map[string]string{{"task.class": "T", "topic": "u", "file": "${file:/s.properties:f}", "connector.class": "FileStreamSource"}}, true},
		{"a key more", snap(nil), []map[string]string{{"task.class": "T", "topic": "t", "file": "${file:/s.properties:f}", "connector.class": "FileStreamSource", "batch.size": "2000"}}, true},
		{"another count", snap(nil), []map[string]string{task, task}, true},
		{"none committed", snap(func(s *storage.ConfigSnapshot) { s.TaskConfigs = nil; s.AppliedConfigs = nil }), []map[string]string{task}, true},
		{"inconsistent", snap(func(s *storage.ConfigSnapshot) { s.Inconsistent["c"] = true; s.TaskConfigs = nil }), nil, true},
		{"connector config changed since the commit", snap(func(s *storage.ConfigSnapshot) {
			s.AppliedConfigs["c"] = map[string]string{"connector.class": "FileStreamSource", "file": "${file:/s.properties:f}", "topic": "old"}
		}), []map[string]string{task}, true},
		{"no tasks, config applied", snap(func(s *storage.ConfigSnapshot) { s.TaskConfigs = map[string][]map[string]string{} }), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tasksChanged(tc.snap, "c", tc.tasks); got != tc.want {
				t.Fatalf("tasksChanged = %v, want %v", got, tc.want)
			}
		})
	}
}
