package external

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
)

// offsetsCtx is a source task context whose committed offset is fixed.
type offsetsCtx struct{ off map[string]any }

func (c offsetsCtx) Offsets() connectors.OffsetReader { return c }
func (c offsetsCtx) Logger() *slog.Logger             { return slog.New(slog.DiscardHandler) }
func (c offsetsCtx) Offset(context.Context, map[string]any) (map[string]any, error) {
	return c.off, nil
}

// lineCount returns the number of lines in file (0 when it does not exist).
func lineCount(t *testing.T, file string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

// waitLines waits until file has n lines.
func waitLines(t *testing.T, file string, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); lineCount(t, file) < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s has %d lines, want %d", file, lineCount(t, file), n)
		}
	}
}

// values returns the records' values, as the counter's numbers.
func values(t *testing.T, recs []connectors.SourceRecord) []int {
	t.Helper()
	var out []int
	for _, r := range recs {
		n, err := strconv.Atoi(fmt.Sprint(r.Value))
		if err != nil {
			t.Fatalf("value %v: %v", r.Value, err)
		}
		out = append(out, n)
	}
	return out
}

func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func startCounter(t *testing.T, loaded *Loaded, tc connectors.SourceTaskContext, props map[string]string) connectors.SourceTask {
	t.Helper()
	task := find(t, loaded, counterClass).New().(connectors.SourceConnector).NewTask()
	if err := task.Start(context.Background(), tc, props); err != nil {
		t.Fatal(err)
	}
	return task
}

func poll(t *testing.T, task connectors.SourceTask) ([]connectors.SourceRecord, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return task.Poll(ctx)
}

// TestSourcePollsOneBatchAhead: the plugin polls the next batch while the
// worker handles the current one, one batch ahead only (a worker that
// stops asking, as a paused task does, gets no more polls), and delivers it
// in order after the pause: nothing lost, nothing twice. Commit never runs
// during a Poll made ahead; an error of a Poll made ahead comes in its
// place, and nothing is polled ahead after it.
func TestSourcePollsOneBatchAhead(t *testing.T) {
	loaded, _ := loadTest(t)
	ctx := context.Background()
	t.Run("pause", func(t *testing.T) {
		polls := filepath.Join(t.TempDir(), "polls")
		task := startCounter(t, loaded, sourceCtx{slog.New(slog.DiscardHandler)}, map[string]string{"topic": "t", "limit": "30", "polls.file": polls})
		defer task.Stop(ctx)
		var got []int
		recs, err := poll(t, task)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, values(t, recs)...)
		waitLines(t, polls, 2) // the batch after it, polled ahead
		// Paused: the worker asks for nothing, and the plugin polls no
		// further than the one batch ahead.
		for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			if n := lineCount(t, polls); n != 2 {
				t.Fatalf("%d polls while the worker asked for one, want 2 (one ahead)", n)
			}
		}
		for len(got) < 30 {
			recs, err := poll(t, task)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, values(t, recs)...)
		}
		if !slices.Equal(got, seq(0, 30)) {
			t.Errorf("records %v, want 0 to 29 once each, in order", got)
		}
	})
	t.Run("commit", func(t *testing.T) {
		task := startCounter(t, loaded, sourceCtx{slog.New(slog.DiscardHandler)}, map[string]string{"topic": "t", "limit": "10"})
		defer task.Stop(ctx)
		if _, err := poll(t, task); err != nil {
			t.Fatal(err)
		}
		// The Poll made ahead waits 100 ms for records that do not come;
		// Commit waits for it.
		for range 5 {
			if err := task.(connectors.Committer).Commit(ctx); err != nil {
				t.Fatalf("Commit: %v", err)
			}
			if _, err := poll(t, task); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("error", func(t *testing.T) {
		polls := filepath.Join(t.TempDir(), "polls")
		task := startCounter(t, loaded, sourceCtx{slog.New(slog.DiscardHandler)}, map[string]string{"topic": "t", "limit": "20", "misbehave": "flaky", "polls.file": polls})
		defer task.Stop(ctx)
		recs, err := poll(t, task)
		if err != nil || !slices.Equal(values(t, recs), seq(0, 10)) {
			t.Fatalf("first Poll = %v, %v", values(t, recs), err)
		}
		recs, err = poll(t, task)
		if !connectors.IsRetriable(err) || err.Error() != "flaky poll" || len(recs) != 0 {
			t.Fatalf("second Poll = %v, %v; want the retriable error of the Poll made ahead", values(t, recs), err)
		}
		// No Poll ahead after an error: the worker's backoff comes first.
		for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			if n := lineCount(t, polls); n != 2 {
				t.Fatalf("%d polls after the error, want 2", n)
			}
		}
		recs, err = poll(t, task)
		if err != nil || !slices.Equal(values(t, recs), seq(10, 20)) {
			t.Fatalf("third Poll = %v, %v", values(t, recs), err)
		}
	})
}

// TestSourceStopDropsTheBatchPolledAhead: a batch polled ahead and never
// asked for is dropped at Stop, its offsets never committed, so the next
// task reads it again: nothing lost, as when Kafka Connect drops records
// polled but not sent.
func TestSourceStopDropsTheBatchPolledAhead(t *testing.T) {
	loaded, _ := loadTest(t)
	ctx := context.Background()
	polls := filepath.Join(t.TempDir(), "polls")
	props := map[string]string{"topic": "t", "limit": "30", "polls.file": polls}
	task := startCounter(t, loaded, sourceCtx{slog.New(slog.DiscardHandler)}, props)
	recs, err := poll(t, task)
	if err != nil || !slices.Equal(values(t, recs), seq(0, 10)) {
		t.Fatalf("Poll = %v, %v", values(t, recs), err)
	}
	waitLines(t, polls, 2) // 10 to 19, polled ahead
	if err := task.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	// The worker committed what it got: up to 9.
	again := startCounter(t, loaded, offsetsCtx{map[string]any{"n": int64(9)}}, props)
	defer again.Stop(ctx)
	recs, err = poll(t, again)
	if err != nil || !slices.Equal(values(t, recs), seq(10, 20)) {
		t.Fatalf("Poll after the restart = %v, %v; want 10 to 19 again", values(t, recs), err)
	}
}

// TestSinkPutIsDeferred: Put returns before the plugin's does; its error
// surfaces at the next call, a retriable one puts the same batch once more
// before the next one, in order; Flush never succeeds while a Put failed;
// records of a partition the task asked to seek during a Put are not put
// after it.
func TestSinkPutIsDeferred(t *testing.T) {
	loaded, _ := loadTest(t)
	ctx := context.Background()
	puts := filepath.Join(t.TempDir(), "puts")
	task := find(t, loaded, probeClass).New().(connectors.SinkConnector).NewTask()
	kc := &sinkCtx{}
	if err := task.Start(ctx, kc, map[string]string{"puts.file": puts}); err != nil {
		t.Fatal(err)
	}
	defer task.Stop(ctx)
	rec := func(topic string, part int32, off int64, v string) []connectors.SinkRecord {
		return []connectors.SinkRecord{{Record: connectors.Record{Topic: topic, Partition: connectors.Partition(part), Value: v},
			Offset: off, OriginalTopic: topic, OriginalPartition: part, OriginalOffset: off}}
	}
	tp := connectors.TopicPartition{Topic: "t", Partition: 0}
	mustPut := func(recs []connectors.SinkRecord) {
		t.Helper()
		if err := task.Put(ctx, recs); err != nil {
			t.Fatalf("Put %v: %v", recs[0].Value, err)
		}
	}
	mustPut(rec("t", 0, 1, "a"))
	mustPut(rec("t", 0, 2, "retryonce"))
	// The deferred Put's retriable error, for the runtime to back off and
	// put this batch again; "c" was not sent.
	err := task.Put(ctx, rec("t", 0, 3, "c"))
	if !connectors.IsRetriable(err) || err.Error() != "try again" {
		t.Fatalf("Put after a failed one = %v, want its retriable error", err)
	}
	mustPut(rec("t", 0, 3, "c")) // the runtime's retry
	if err := task.Flush(ctx, map[connectors.TopicPartition]int64{tp: 4}); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	b, _ := os.ReadFile(puts)
	if got, want := string(b), "a\nretryonce\nretryonce\nc\n"; got != want {
		t.Fatalf("the plugin's Puts:\n%s\nwant\n%s", got, want)
	}

	// Each Put asks to seek seek/1: the next batch's records of seek/1 are
	// not put, the others are.
	mustPut(append(rec("seek", 1, 5, "sought"), rec("t", 0, 4, "d")...))
	mustPut(rec("seek", 1, 6, "sought again"))
	if err := task.Flush(ctx, map[connectors.TopicPartition]int64{tp: 5}); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	b, _ = os.ReadFile(puts)
	if got, want := string(b), "a\nretryonce\nretryonce\nc\nd\n"; got != want {
		t.Fatalf("the plugin's Puts:\n%s\nwant\n%s", got, want)
	}

	// A retriable error that lasts: Flush fails as long as the batch does.
	mustPut(rec("t", 0, 5, "retry"))
	for i := range 2 {
		err := task.Flush(ctx, map[connectors.TopicPartition]int64{tp: 6})
		if !connectors.IsRetriable(err) || err.Error() != "try again" {
			t.Fatalf("Flush %d after a failed Put = %v, want the Put's error", i+1, err)
		}
	}
	// "retry" put by Put, then again by the second Flush.
	if n := lineCount(t, puts); n != 7 {
		t.Errorf("%d Puts, want 7", n)
	}
	// A non-retriable error fails the next call (the task), even Stop.
	if err := task.Close(ctx, []connectors.TopicPartition{tp}); err != nil {
		t.Fatalf("Close: %v", err)
	}
	mustPut(rec("t", 0, 6, "data"))
	if err := task.Stop(ctx); err == nil || !strings.Contains(err.Error(), "cannot write data") {
		t.Errorf("Stop after a failed Put = %v, want the Put's error", err)
	}
}
