package distributed_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/internal/testkit/panicky"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/distributed"
	"github.com/sluicehq/sluice/runtime/herder"
)

// noForwarding is the forwarder of a worker that is alone in its group,
// and so always the leader.
type noForwarding struct{}

func (noForwarding) PutTaskConfigs(context.Context, string, string, []map[string]string, []byte, string) error {
	return fmt.Errorf("a worker alone in its group forwards nothing")
}

// soloWorker runs one distributed worker in this process with the plugins
// of reg, as worker id <host>:8083, until the test ends or stop is called.
type soloWorker struct {
	h    *distributed.Herder
	id   string
	done chan error // Run's result
	stop func() error
}

func startSolo(t *testing.T, base map[string]string, host string, reg *plugins.Registry) *soloWorker {
	t.Helper()
	props := map[string]string{"rest.advertised.host.name": host, "rest.advertised.port": "8083"}
	maps.Copy(props, base)
	// The worker's log is kept and its end shown when the test fails, so
	// that a failure seen once (in CI) can be understood.
	logBuf := &tailBuffer{}
	var logTo io.Writer = logBuf
	if os.Getenv("SLUICE_TEST_LOG") != "" {
		logTo = os.Stderr
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the end of worker %s's log:\n%s", host, logBuf.tail(64<<10))
		}
	})
	log := slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg, err := distributed.ParseConfig(props, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stores, err := distributed.NewStores(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	w := runtime.NewWorker(cfg.WorkerConfig, reg, stores.Offsets, stores.Status, log)
	h, err := distributed.New(cfg, w, stores, noForwarding{}, log)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			stores.Close()
			return err
		case <-time.After(90 * time.Second):
			return fmt.Errorf("the worker did not stop within 90 s")
		}
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	sw := &soloWorker{h: h, id: cfg.WorkerID, done: done, stop: stop}
	sw.await(t, "the worker joined its group", func() (bool, string) {
		err := h.Ready(context.Background())
		return err == nil, fmt.Sprint(err)
	})
	return sw
}

// await polls cond until it holds, failing the test after a minute or when
// the worker's Run returns (it must not, before stop).
func (sw *soloWorker) await(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	testkit.Eventually(t, time.Minute, what, cond, func() error {
		select {
		case err := <-sw.done:
			sw.done <- err // keep it for stop, which would wait in vain otherwise
			return fmt.Errorf("the worker stopped: %v", err)
		default:
			return nil
		}
	})
}

// TestDistributedPanickingConnectors: in a distributed worker, connectors
// that panic in Start and in TaskConfigs, and a task that panics in Poll,
// are FAILED with the panic in their trace while a healthy pipeline runs;
// a configuration change whose validation panics (on the herder's loop) is
// refused with a 500 and the worker goes on. A worker started again on the
// same topics reports the same.
func TestDistributedPanickingConnectors(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	suffix := testkit.NewTopic(t, bootstrap, 1) // a unique name; the topic itself stays unused
	props := testkit.GroupProps(suffix)
	maps.Copy(props, map[string]string{
		"bootstrap.servers":                bootstrap,
		"offset.storage.partitions":        "2",
		"status.storage.partitions":        "2",
		"key.converter":                    "StringConverter",
		"value.converter":                  "StringConverter",
		"offset.flush.interval.ms":         "200",
		"session.timeout.ms":               "6000",
		"heartbeat.interval.ms":            "500",
		"scheduled.rebalance.max.delay.ms": "0",
		"consumer.session.timeout.ms":      "6000",
		"consumer.heartbeat.interval.ms":   "500",
	})
	sunk := &panicky.Sunk{}
	reg := builtin.Registry()
	panicky.Register(reg, sunk)
	ctx := context.Background()
	topic := testkit.NewTopic(t, bootstrap, 1)
	source := func(panicOn, values string) map[string]string {
		return map[string]string{"connector.class": panicky.SourceClass, "topic": topic, panicky.PanicOn: panicOn, panicky.Values: values}
	}
	type want struct {
		state     herder.State
		trace     string       // in the connector's trace
		tasks     herder.State // of its one task; "" for none
		taskTrace string
	}
	wants := map[string]want{
		"start-panics": {state: herder.Failed, trace: panicky.SourceClass + ".Start panicked: boom in connector.Start\n\tat "},
		"taskconfigs-panics": {state: herder.Failed,
			trace: "task configs of connector taskconfigs-panics: " + panicky.SourceClass + ".TaskConfigs panicked: boom in connector.TaskConfigs\n\tat "},
		"poll-panics":    {state: herder.Running, tasks: herder.Failed, taskTrace: "poll: test.sluice.PanickySourceTask.Poll panicked: boom in task.Poll\n\tat "},
		"healthy-source": {state: herder.Running, tasks: herder.Running},
		"healthy-sink":   {state: herder.Running, tasks: herder.Running},
	}
	cfgs := map[string]map[string]string{
		"start-panics":       source("connector.Start", ""),
		"taskconfigs-panics": source("connector.TaskConfigs", ""),
		"poll-panics":        source("task.Poll", ""),
		"healthy-source":     source("", "a,b,c"),
		// Its consumer group is this run's own: runtime/standalone's test
		// runs a healthy-sink at the same time on the same broker.
		"healthy-sink": {"connector.class": panicky.SinkClass, "topics": topic, "consumer.override.group.id": "connect-healthy-sink-" + topic},
	}
	// check waits until every connector is as wanted, reported by this
	// worker.
	check := func(sw *soloWorker) {
		t.Helper()
		for name, w := range wants {
			sw.await(t, name+" "+string(w.state), func() (bool, string) {
				st, err := sw.h.ConnectorStatus(ctx, name)
				if err != nil {
					return false, err.Error()
				}
				got := fmt.Sprintf("%+v", st)
				if st.Connector.State != w.state || st.Connector.WorkerID != sw.id || !strings.Contains(st.Connector.Trace, w.trace) {
					return false, got
				}
				if w.tasks == "" {
					return len(st.Tasks) == 0, got
				}
				return len(st.Tasks) == 1 && st.Tasks[0].State == w.tasks && st.Tasks[0].WorkerID == sw.id &&
					strings.Contains(st.Tasks[0].Trace, w.taskTrace), got
			})
		}
	}

	first := startSolo(t, props, "first", reg)
	for _, name := range slices.Sorted(maps.Keys(cfgs)) {
		if _, _, err := first.h.PutConnectorConfig(ctx, name, cfgs[name], false, ""); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	check(first)
	first.await(t, "the healthy pipeline's records", func() (bool, string) {
		got := sunk.Values("healthy-sink")
		return slices.Equal(got, []string{"a", "b", "c"}), fmt.Sprint(got)
	})

	// PATCH validates on the herder's loop: a panic there is the request's
	// 500, and the loop serves the next request.
	on := "connector.Validate"
	_, err := first.h.PatchConnectorConfig(ctx, "healthy-source", map[string]*string{panicky.PanicOn: &on})
	if herder.StatusCode(err) != 500 || !strings.Contains(err.Error(), "panicked: boom in connector.Validate") {
		t.Fatalf("patch whose validation panics: %v", err)
	}
	if got, err := first.h.ConnectorConfig(ctx, "healthy-source"); err != nil || got[panicky.PanicOn] != "" {
		t.Fatalf("config after the refused patch: %v, %v", got, err)
	}
	if _, err := first.h.ConnectorInfo(ctx, "poll-panics"); err != nil {
		t.Fatalf("the herder does not answer after a panic on its loop: %v", err)
	}

	if err := first.stop(); err != nil {
		t.Fatalf("stop the first worker: %v", err)
	}
	second := startSolo(t, props, "second", reg)
	check(second)
}

// tailBuffer keeps what a worker logs, for the end to be shown when a test
// fails; it is safe for concurrent use.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b = append(b.b, p...)
	if len(b.b) > 8<<20 { // keep the last 4 MiB of a long run
		b.b = append([]byte(nil), b.b[len(b.b)-4<<20:]...)
	}
	return len(p), nil
}

// tail returns the last n bytes written.
func (b *tailBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.b[max(0, len(b.b)-n):])
}
