//go:build unix

package standalone_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
)

// logWatch passes log lines on to out and closes seen at the first line
// that holds every one of words.
type logWatch struct {
	words []string
	out   io.Writer
	seen  chan struct{}
	once  sync.Once
}

func (w *logWatch) Write(p []byte) (int, error) {
	match := true
	for _, word := range w.words {
		match = match && bytes.Contains(p, []byte(word))
	}
	if match {
		w.once.Do(func() { close(w.seen) })
	}
	return w.out.Write(p)
}

// readLocked reads path holding the flock(2) the file sink takes around
// each write, so it never sees a write half done or half undone.
func readLocked(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// committed returns the sink's committed offset of partition 0, -1 when
// none.
func committed(t *testing.T, h herder.Herder, name string) int64 {
	t.Helper()
	offs, err := h.ConnectorOffsets(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range offs.Offsets {
		return o.Offset["kafka_offset"].(int64)
	}
	return -1
}

// TestFileSinkFullDisk consumes a topic into a file on a small tmpfs that
// fills up: the sink task stays RUNNING and retries, the file holds only
// whole lines, no offset is committed past what is in the file, and once
// space is freed every record is in the file exactly once, in order (at
// least once, in order, if the group's session ended on the way). It
// needs root for the mount (CI runs as root); without it the file
// connector's own tests cover the same with an injected ENOSPC.
func TestFileSinkFullDisk(t *testing.T) {
	dir := testkit.Tmpfs(t, "1m")
	if dir == "" {
		t.Skip("no tmpfs: connectors/file's TestSinkDiskFull injects ENOSPC instead")
	}
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	const n = 1500 // 150 kB of lines, where 16 kB are free
	want := make([]string, n)
	for i := range want {
		v := fmt.Sprintf("record-%06d-", i)
		want[i] = v + strings.Repeat("x", 99-len(v))
	}
	produce(t, bootstrap, topic, want...)
	filler := filepath.Join(dir, "filler")
	testkit.FillUp(t, filler, 16<<10)

	logs := &testkit.LogBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("worker log:\n%s", logs)
		}
	})
	full := &logWatch{words: []string{"put of task", "failed; retrying", "no space left on device"}, out: logs, seen: make(chan struct{})}
	// Batches of 10 kB: the first fits, the second fills the disk part way.
	h := fileHerder(t, bootstrap, t.TempDir(), map[string]string{"consumer.max.poll.records": "100"}, builtin.Registry(), full)
	name := "full-disk-" + topic
	out := filepath.Join(dir, "out.txt")
	if _, _, err := h.PutConnectorConfig(context.Background(), name, map[string]string{
		"connector.class": "FileStreamSink", "topics": topic, "file": out,
	}, false, ""); err != nil {
		t.Fatal(err)
	}
	select {
	case <-full.seen:
	case <-time.After(time.Minute):
		t.Fatal("the sink never reported the full disk")
	}
	awaitTask(t, h, name, herder.Running)
	got := readLocked(t, out)
	if got != "" && !strings.HasSuffix(got, "\n") {
		t.Fatalf("on a full disk the file ends in a partial line: %q", got[max(0, len(got)-120):])
	}
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if got == "" {
		lines = nil
	}
	if len(lines) == 0 || len(lines) >= n {
		t.Fatalf("%d lines on a full disk, want some but fewer than %d", len(lines), n)
	}
	for i, l := range lines {
		if l != want[i] {
			t.Fatalf("line %d is %q, want %q", i+1, l, want[i])
		}
	}
	if c := committed(t, h, name); c > int64(len(lines)) {
		t.Fatalf("offset %d committed with %d lines in the file", c, len(lines))
	}
	t.Logf("disk full after %d of %d lines", len(lines), n)

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		got = readLocked(t, out)
		if strings.HasSuffix(got, want[n-1]+"\n") || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if w := strings.Join(want, "\n") + "\n"; got != w {
		sessions := strings.Count(logs.String(), "partitions assigned")
		if sessions < 2 {
			t.Fatalf("after space was freed the file holds %d bytes in %d lines, want %d in %d",
				len(got), strings.Count(got, "\n"), len(w), n)
		}
		// The group's session ended on the way (a broker too loaded to
		// keep it): the records put since the last commit are put again,
		// at least once as in Kafka Connect, but still whole and in order.
		t.Logf("%d group sessions: the records after the last commit were put again", sessions)
		checkReplays(t, strings.Split(strings.TrimSuffix(got, "\n"), "\n"), want)
	}
	for c := committed(t, h, name); c != n; c = committed(t, h, name) {
		if time.Now().After(deadline) {
			t.Fatalf("committed offset %d, want %d", c, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkReplays checks that lines are want, in order, with every record at
// least once: a line is the record after the one before it, or an earlier
// record that starts a replay; the last line is the last record.
func checkReplays(t *testing.T, lines, want []string) {
	t.Helper()
	index := make(map[string]int, len(want))
	for i, w := range want {
		index[w] = i
	}
	prev := -1
	for i, l := range lines {
		r, ok := index[l]
		switch {
		case !ok:
			t.Fatalf("line %d is %q, not a record", i+1, l)
		case r > prev+1:
			t.Fatalf("line %d is record %d after record %d: records were skipped", i+1, r, prev)
		}
		prev = r
	}
	if prev != len(want)-1 {
		t.Fatalf("the file ends with record %d; want every record up to %d", prev, len(want)-1)
	}
}
