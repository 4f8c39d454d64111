package e2e

import (
	"fmt"
	"maps"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// drainProps are workerProps with drain bounds long enough that a loaded
// machine cannot turn a clean stop into an abandoned one: the tests below
// hold SIGTERM to its promise (data-integrity rule 7), which holds only
// while Kafka answers within these bounds.
func drainProps(bootstrap, offsetsFile string) map[string]string {
	p := workerProps(bootstrap, offsetsFile)
	maps.Copy(p, map[string]string{
		"offset.flush.timeout.ms":           "30000",
		"task.shutdown.graceful.timeout.ms": "20000",
	})
	return p
}

// TestSourceWorkerSIGTERMDrains stops a source worker with SIGTERM
// mid-stream (data-integrity rule 7): the stop waits for every record sent
// to be acked and commits its offset, so the topic holds exactly the lines
// up to the committed offset, and the restarted worker resumes there: every
// line once, in order, no duplicate.
func TestSourceWorkerSIGTERMDrains(t *testing.T) {
	const total, chunk = 200_000, 2_000
	s := newFileSource(t, "term-source-")
	w := s.start(t, "source", drainProps(s.bootstrap, s.offsets), chunk)
	written := s.feed(t, w, chunk, total/2, chunk)
	w.Term()
	committed := s.committed(t)
	got := readTopic(t, s.bootstrap, s.topic)
	if int64(len(got)) != committed/100 {
		t.Fatalf("after SIGTERM the topic holds %d lines and the committed offset is line %d: the stop did not drain", len(got), committed/100)
	}
	checkLines(t, got, 0)
	t.Logf("SIGTERM after %d of %d lines written: %d lines sent and committed", written, total, len(got))

	appendLines(t, s.in, written, total)
	w = s.start(t, "source-restarted", drainProps(s.bootstrap, s.offsets), 0)
	s.awaitCommitted(t, w, total)
	w.Term()
	got = readTopic(t, s.bootstrap, s.topic)
	if len(got) != total {
		t.Fatalf("the topic holds %d lines, want exactly %d", len(got), total)
	}
	checkLines(t, got, 0)
}

// TestSinkWorkerSIGTERMDrains stops a sink worker with SIGTERM mid-stream
// (data-integrity rule 7): the stop flushes the file and commits the
// consumer offset of every record put, so the file holds exactly the
// records up to the committed offset, and the restarted worker resumes
// there: every record once, in order, no duplicate.
func TestSinkWorkerSIGTERMDrains(t *testing.T) {
	const total, chunk = 200_000, 2_000
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.txt")
	name := "term-sink-" + topic
	conn := map[string]string{"name": name, "connector.class": "FileStreamSink", "file": out, "topics": topic}

	lp := newLineProducer(t, bootstrap, topic)
	lp.to(chunk)
	committed := func() int64 { return sinkCommitted(t, bootstrap, name, topic) }

	props := drainProps(bootstrap, filepath.Join(dir, "sink.offsets"))
	w := startWorker(t, dir, "sink", props, conn)
	eventually(t, time.Minute, "a committed sink offset", func() (bool, string) {
		if lp.produced < total/2 {
			lp.to(lp.produced + chunk)
		}
		c := committed()
		return c > 0 && lp.produced >= total/2, fmt.Sprintf("committed %d, produced %d", c, lp.produced)
	}, w)
	w.Term()
	c := committed()
	got := readLines(t, out)
	if int64(len(got)) != c {
		t.Fatalf("after SIGTERM the file holds %d records and the committed offset is %d: the stop did not drain", len(got), c)
	}
	checkLines(t, got, 0)
	t.Logf("SIGTERM after %d of %d records produced: %d records written and committed", lp.produced, total, len(got))

	lp.to(total)
	w = startWorker(t, dir, "sink-restarted", props, conn)
	eventually(t, 2*time.Minute, "every record committed after the restart", func() (bool, string) {
		cc := committed()
		return cc == total, fmt.Sprintf("committed %d of %d", cc, total)
	}, w)
	w.Term()
	got = readLines(t, out)
	if len(got) != total {
		t.Fatalf("the file holds %d records, want exactly %d", len(got), total)
	}
	checkLines(t, got, 0)
}

// checkLines checks that got[i] is line(from+i).
func checkLines(t *testing.T, got []string, from int) {
	t.Helper()
	for i, s := range got {
		if s != line(from+i) {
			t.Fatalf("record %d is %q, want %q", i, s, line(from+i))
		}
	}
}
