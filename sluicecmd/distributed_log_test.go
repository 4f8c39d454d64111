package sluicecmd

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestDistributedLifecycleLogLines drives a connector of a one-worker
// cluster through pause, resume, restart (with its tasks), stop, resume
// and delete, and checks that each action logs its INFO line exactly
// once, and that the rebalance that assigned the connector logs its
// outcome as Kafka Connect does.
func TestDistributedLifecycleLogLines(t *testing.T) {
	cl := newInProcCluster(t)
	ctx := context.Background()
	w := cl.start("w1")
	topic := testkit.NewTopic(t, cl.bootstrap, 1)
	in := filepath.Join(cl.dir, "in.txt")
	appendTestLines(t, in, 0, 10)
	name := "logs-" + topic
	count := func(line string) int { return strings.Count(w.log.String(), line) }
	want := map[string]int{}
	check := func(step string, lines ...string) {
		t.Helper()
		for _, l := range lines {
			want[l]++
		}
		// A line may be logged an instant after the status the test
		// awaited: wait for the expected count, then check it holds.
		cl.eventually(30*time.Second, step+" logged", func() (bool, string) {
			for l, n := range want {
				if count(l) < n {
					return false, fmt.Sprintf("%q logged %d times, want %d", l, count(l), n)
				}
			}
			return true, ""
		})
		for l, n := range want {
			if c := count(l); c != n {
				t.Errorf("after %s, %q logged %d times, want %d", step, l, c, n)
			}
		}
	}

	if _, err := w.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: name, Config: map[string]string{
		"connector.class": "FileStreamSource", "file": in, "topic": topic}}); err != nil {
		t.Fatal(err)
	}
	cl.awaitState(w, name, herder.Running, 1)
	// Assignments are incremental (protocol version 2): the connector,
	// then its task, each in the rebalance that assigned it.
	cl.eventually(30*time.Second, "the assignment of the connector and its task logged", func() (bool, string) {
		log := w.log.String()
		return strings.Contains(log, "connectorIds=["+name+"], taskIds=[]") && strings.Contains(log, "connectorIds=[], taskIds=["+name+"-0]"), ""
	})

	if err := w.c.Pause(ctx, name); err != nil {
		t.Fatal(err)
	}
	cl.awaitState(w, name, herder.Paused, 1)
	check("pause", "Setting connector "+name+" state to PAUSED")

	if err := w.c.Resume(ctx, name); err != nil {
		t.Fatal(err)
	}
	cl.awaitState(w, name, herder.Running, 1)
	check("resume", "Setting connector "+name+" state to STARTED")

	if _, err := w.c.RestartConnector(ctx, name, true, false); err != nil {
		t.Fatal(err)
	}
	cl.awaitState(w, name, herder.Running, 1)
	check("restart with tasks", "Restarting connector "+name, "Restarting task "+name+"-0")

	if err := w.c.Stop(ctx, name); err != nil {
		t.Fatal(err)
	}
	cl.awaitState(w, name, herder.Stopped, 0)
	check("stop", "Setting connector "+name+" state to STOPPED")

	if err := w.c.Resume(ctx, name); err != nil {
		t.Fatal(err)
	}
	cl.awaitState(w, name, herder.Running, 1)
	check("resume a stopped connector", "Setting connector "+name+" state to STARTED")

	if err := w.c.DeleteConnector(ctx, name); err != nil {
		t.Fatal(err)
	}
	check("delete", "Connector "+name+" config removed")
}
