package api_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestRESTLifecycle is the control plane end to end on the broker, driven
// only through the REST API (with sluice's Go client): create a file source
// and a file sink, pause, resume, stop, read and rewrite offsets, restart a
// failed task, delete.
func TestRESTLifecycle(t *testing.T) {
	ctx := context.Background()
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	// The sink's name, and so its group connect-<name>, is this run's own:
	// another package's test or an earlier run may use a sink called snk.
	snk := topic + "-snk"
	w := startWorker(t, bootstrap, nil)
	c, err := client.New(w.url)
	if err != nil {
		t.Fatal(err)
	}
	in, out := filepath.Join(w.dir, "in.txt"), filepath.Join(w.dir, "out", "out.txt")
	lines := func(from, to int) []string {
		var l []string
		for i := from; i <= to; i++ {
			l = append(l, fmt.Sprintf("line-%02d", i))
		}
		return l
	}
	appendLines(t, in, lines(1, 10))

	// The sink's directory does not exist yet: its task fails at start.
	// The connector itself runs.
	if _, err := c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: snk, Config: map[string]string{
		"connector.class": "FileStreamSink", "tasks.max": "1", "file": out, "topics": topic}}); err != nil {
		t.Fatal(err)
	}
	st := awaitClient(t, c, snk, "task FAILED", func(st herder.ConnectorStateInfo) bool {
		return st.Connector.State == herder.Running && len(st.Tasks) == 1 && st.Tasks[0].State == herder.Failed
	})
	if !strings.Contains(st.Tasks[0].Trace, "out.txt") {
		t.Fatalf("failed task's trace %q does not name the file", st.Tasks[0].Trace)
	}
	// KIP-745: only the failed task restarts; the running connector does
	// not. The answer shows what restarts.
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	restarted, err := c.RestartConnector(ctx, snk, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if restarted == nil || restarted.Connector.State != herder.Running || len(restarted.Tasks) != 1 ||
		(restarted.Tasks[0].State != herder.Restarting && restarted.Tasks[0].State != herder.Running) {
		t.Fatalf("restart answer %+v", restarted)
	}
	awaitClient(t, c, snk, "RUNNING", clientRunning)

	if _, err := c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: "src", Config: map[string]string{
		"connector.class": "FileStreamSource", "tasks.max": "1", "file": in, "topic": topic}}); err != nil {
		t.Fatal(err)
	}
	awaitClient(t, c, "src", "RUNNING", clientRunning)
	awaitFile(t, out, lines(1, 10))

	// Pause: the source's status goes PAUSED and no records flow.
	if err := c.Pause(ctx, "src"); err != nil {
		t.Fatal(err)
	}
	awaitClient(t, c, "src", "PAUSED", func(st herder.ConnectorStateInfo) bool {
		return st.Connector.State == herder.Paused && len(st.Tasks) == 1 && st.Tasks[0].State == herder.Paused
	})
	appendLines(t, in, lines(11, 15))
	// An observation window, not a synchronization: nothing may arrive.
	if hwm := endOffsetAfter(t, bootstrap, topic, time.Second); hwm != 10 {
		t.Fatalf("topic end offset %d while the source was paused, want 10", hwm)
	}
	if err := c.Resume(ctx, "src"); err != nil {
		t.Fatal(err)
	}
	awaitClient(t, c, "src", "RUNNING", clientRunning)
	awaitFile(t, out, lines(1, 15))

	// Stop: STOPPED with no tasks; the offsets are readable.
	if err := c.Stop(ctx, "src"); err != nil {
		t.Fatal(err)
	}
	awaitClient(t, c, "src", "STOPPED", func(st herder.ConnectorStateInfo) bool {
		return st.Connector.State == herder.Stopped && len(st.Tasks) == 0
	})
	if info, err := c.Connector(ctx, "src"); err != nil || len(info.Tasks) != 0 {
		t.Fatalf("stopped connector info %+v, %v: want no tasks", info, err)
	}
	offs, err := c.Offsets(ctx, "src")
	if err != nil {
		t.Fatal(err)
	}
	end := int64(15 * len("line-01\n"))
	if len(offs.Offsets) != 1 || offs.Offsets[0].Partition["filename"] != in || fmt.Sprint(offs.Offsets[0].Offset["position"]) != fmt.Sprint(end) {
		t.Fatalf("source offsets %+v, want position %d of %s", offs, end, in)
	}
	// The sink's offsets are its consumer group's.
	awaitSinkOffset(t, c, snk, topic, 15)

	// Rewind the source to the start of line 11: it re-reads 11..15.
	msg, err := c.AlterOffsets(ctx, "src", herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{{
		Partition: map[string]any{"filename": in}, Offset: map[string]any{"position": 10 * len("line-01\n")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if msg != herder.OffsetsAltered {
		t.Fatalf("alter message %q", msg)
	}
	if err := c.Resume(ctx, "src"); err != nil {
		t.Fatal(err)
	}
	awaitClient(t, c, "src", "RUNNING", clientRunning)
	awaitFile(t, out, append(lines(1, 15), lines(11, 15)...))

	// Reset: it re-reads everything.
	if err := c.Stop(ctx, "src"); err != nil {
		t.Fatal(err)
	}
	awaitClient(t, c, "src", "STOPPED", func(st herder.ConnectorStateInfo) bool { return st.Connector.State == herder.Stopped })
	if msg, err := c.ResetOffsets(ctx, "src"); err != nil || msg != herder.OffsetsReset {
		t.Fatalf("reset: %q, %v", msg, err)
	}
	if offs, err := c.Offsets(ctx, "src"); err != nil || len(offs.Offsets) != 0 {
		t.Fatalf("offsets after reset %+v, %v", offs, err)
	}
	if err := c.Resume(ctx, "src"); err != nil {
		t.Fatal(err)
	}
	awaitFile(t, out, append(append(lines(1, 15), lines(11, 15)...), lines(1, 15)...))

	// Sink offsets can be rewound too, once the sink is stopped.
	if err := c.Stop(ctx, snk); err != nil {
		t.Fatal(err)
	}
	awaitClient(t, c, snk, "STOPPED", func(st herder.ConnectorStateInfo) bool { return st.Connector.State == herder.Stopped })
	if _, err := c.AlterOffsets(ctx, snk, herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{{
		Partition: map[string]any{"kafka_topic": topic, "kafka_partition": 0}, Offset: map[string]any{"kafka_offset": 28}}}}); err != nil {
		t.Fatal(err)
	}
	awaitSinkOffset(t, c, snk, topic, 28)
	if err := c.Resume(ctx, snk); err != nil {
		t.Fatal(err)
	}
	// Records 28..34 (lines 9..15 of the last pass) are written again.
	awaitFile(t, out, append(append(append(lines(1, 15), lines(11, 15)...), lines(1, 15)...), lines(9, 15)...))

	for _, n := range []string{"src", snk} {
		if err := c.DeleteConnector(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if names, err := c.Connectors(ctx); err != nil || len(names) != 0 {
		t.Fatalf("connectors after delete %v, %v", names, err)
	}
	if _, err := c.ConnectorStatus(ctx, "src"); herder.StatusCode(err) != 404 {
		t.Fatalf("status of a deleted connector: %v, want 404", err)
	}
}

func appendLines(t *testing.T, path string, lines []string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		t.Fatal(err)
	}
}

func clientRunning(st herder.ConnectorStateInfo) bool { return running(1)(st) }

// awaitClient polls a connector's status through the client until cond.
func awaitClient(t *testing.T, c *client.Client, name, what string, cond func(herder.ConnectorStateInfo) bool) herder.ConnectorStateInfo {
	t.Helper()
	var st herder.ConnectorStateInfo
	testkit.Eventually(t, 60*time.Second, "connector "+name+" "+what, func() (bool, string) {
		var err error
		st, err = c.ConnectorStatus(context.Background(), name)
		return err == nil && cond(st), fmt.Sprintf("last status %+v, %v", st, err)
	})
	return st
}

// awaitFile waits until path holds exactly want, failing at once if it
// holds more or something else.
func awaitFile(t *testing.T, path string, want []string) {
	t.Helper()
	wantText := strings.Join(want, "\n") + "\n"
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		got := string(b)
		if got == wantText {
			return
		}
		if !strings.HasPrefix(wantText, got) {
			t.Fatalf("%s holds\n%s\nwant\n%s", path, got, wantText)
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s holds\n%s\nwant\n%s", path, got, wantText)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// awaitSinkOffset waits until a sink connector's offsets show want for
// partition 0 of topic.
func awaitSinkOffset(t *testing.T, c *client.Client, name, topic string, want int64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		offs, err := c.Offsets(context.Background(), name)
		if err == nil && len(offs.Offsets) == 1 && offs.Offsets[0].Partition["kafka_topic"] == topic &&
			fmt.Sprint(offs.Offsets[0].Partition["kafka_partition"]) == "0" && fmt.Sprint(offs.Offsets[0].Offset["kafka_offset"]) == fmt.Sprint(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sink %s offsets %+v (%v), want kafka_offset %d", name, offs, err, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// endOffsetAfter returns the topic's end offset after watching it for d.
func endOffsetAfter(t *testing.T, bootstrap, topic string, d time.Duration) int64 {
	t.Helper()
	time.Sleep(d)
	off, err := testkit.EndOffset(bootstrap, topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	return off
}

// TestThirdPartyClient runs a published Kafka Connect REST client's
// create/list/status/config/pause/resume/restart/delete flow against
// sluice, unchanged (see thirdparty_test.go for the client and why).
func TestThirdPartyClient(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	w := startWorker(t, bootstrap, nil)
	in := filepath.Join(w.dir, "in.txt")
	appendLines(t, in, []string{"a", "b"})
	thirdPartyClientFlow(t, w.url, in, topic)
}
