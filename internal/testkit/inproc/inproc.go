// Package inproc builds workers that run inside a test's process, for the
// tests of the packages above the runtime (runtime/standalone, api,
// plugins/external): a standalone herder on file offsets and configs, as a
// `sluice standalone` process has, and the waits on its status.
//
// It is apart from testkit because it imports the runtime, whose own tests
// import testkit.
package inproc

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"os"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/standalone"
	"github.com/sluicehq/sluice/runtime/storage"
)

// WorkerProps returns testkit.StandaloneProps with a short consumer session
// (a sink's group member is evicted after 6 s); extra adds or replaces
// settings.
func WorkerProps(bootstrap, dir string, extra map[string]string) map[string]string {
	props := testkit.StandaloneProps(bootstrap, dir)
	props["consumer.session.timeout.ms"] = "6000"
	maps.Copy(props, extra)
	return props
}

// Logger returns a debug-level text logger writing to w, and to stderr as
// well when SLUICE_TEST_LOG is set.
func Logger(w io.Writer) *slog.Logger {
	if os.Getenv("SLUICE_TEST_LOG") != "" {
		w = io.MultiWriter(w, os.Stderr)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Standalone is a standalone herder built as `sluice standalone` builds
// it, from worker settings props (see WorkerProps), with the plugins of reg:
// its offsets and connector configurations are files, so that a second one
// on the same files resumes what the first stored; its status is in memory.
type Standalone struct {
	Herder *standalone.Herder
	Worker *runtime.Worker
	Config *runtime.WorkerConfig
}

// NewStandalone builds a Standalone. It is not started, and the test stops
// it.
func NewStandalone(t testing.TB, props map[string]string, reg *plugins.Registry, log *slog.Logger) Standalone {
	t.Helper()
	wc, err := runtime.ParseWorkerConfig(props, log)
	if err != nil {
		t.Fatal(err)
	}
	offsets, err := storage.OpenFileOffsets(wc.OffsetFile)
	if err != nil {
		t.Fatal(err)
	}
	configs, err := storage.OpenFileConfigs(wc.ConfigFile)
	if err != nil {
		t.Fatal(err)
	}
	status := storage.NewMemoryStatus()
	w := runtime.NewWorker(wc, reg, offsets, status, log)
	h := standalone.New(context.Background(), w, configs, status, offsets, log)
	return Standalone{Herder: h, Worker: w, Config: wc}
}

// AwaitTask waits up to a minute until task 0 of a connector is in state,
// polling the status the REST API would serve, and returns that status.
func AwaitTask(t testing.TB, h herder.Herder, name string, state herder.State) herder.TaskState {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ts, err := h.TaskStatus(context.Background(), herder.TaskID{Connector: name, Task: 0})
		if err == nil && ts.State == state {
			return ts
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s-0 is %+v (err %v), want %s", name, ts, err, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
