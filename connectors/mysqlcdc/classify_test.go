package mysqlcdc

import (
	"errors"
	"fmt"
	"testing"
)

// TestDecodeErrorIsNotRetried: go-mysql reports an event it cannot
// decode (a rows event whose table map is missing, a corrupt or
// unsupported event, a recovered panic of its parser) as the stream's
// error, like a lost connection. stream() reconnects on every error
// classify() does not call fatal, and resumes at the same event, which
// fails again: the task retries forever instead of failing with the
// error (and, as the fake ROTATE counts as progress, without backoff).
// Only connection errors may be retried.
func TestDecodeErrorIsNotRetried(t *testing.T) {
	task := &Task{st: &settings{}}
	for _, err := range []error{
		fmt.Errorf("table id 4711: %w", errors.New("invalid table id, no corresponding table map event")),
		errors.New("panic runtime error: index out of range [3] with length 3\nstack: ..."),
		errors.New("invalid data size 12 in event WriteRowsEventV1, less event length 40"),
	} {
		var fe fatalError
		if !errors.As(task.classify(err, offset{File: "bin.000001", Pos: 4}), &fe) {
			t.Errorf("%q is retried (reconnect at the same event, forever)", firstLine(err))
		}
	}
}
