package e2e

import (
	"fmt"
	"os"
	"path/filepath"

	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestFilePipelineMillionLines moves 1,000,000 lines file → topic → file
// through two standalone workers and checks the output holds every line
// exactly once, in order.
func TestFilePipelineMillionLines(t *testing.T) {
	const n = 1_000_000
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	appendLines(t, in, 0, n)

	src := startWorker(t, dir, "source", workerProps(bootstrap, filepath.Join(dir, "source.offsets")), map[string]string{
		"name": "e2e-source-" + topic, "connector.class": "FileStreamSource", "file": in, "topic": topic,
	})
	sink := startWorker(t, dir, "sink", workerProps(bootstrap, filepath.Join(dir, "sink.offsets")), map[string]string{
		"name": "e2e-sink-" + topic, "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "file": out, "topics": topic,
	})
	start := time.Now()
	eventually(t, 4*time.Minute, "all lines in the output file", func() (bool, string) {
		c := countLines(out)
		return c >= n, fmt.Sprintf("%d of %d lines", c, n)
	}, src, sink)
	t.Logf("%d lines through the pipeline in %s", n, time.Since(start).Round(time.Millisecond))
	src.Term()
	sink.Term()

	want, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("output has %d bytes, input %d", len(got), len(want))
	}
	if string(got) != string(want) {
		t.Fatal("output differs from input")
	}
}

// committedPosition reads the source offset of a file from the offsets file.
func committedPosition(t *testing.T, offsetsFile, connector, filename string) int64 {
	t.Helper()
	off := sourceOffset(t, offsetsFile, connector, map[string]any{"filename": filename})
	if off == nil {
		return 0
	}
	return int64(off["position"].(float64))
}

// fileSource is a FileStreamSource connector of a test, reading in and
// writing to topic, with its worker's offsets in a file.
type fileSource struct {
	bootstrap, topic, dir, in, offsets, name string
	conn                                     map[string]string
}

// newFileSource prepares a file source named prefix + its topic's name.
func newFileSource(t *testing.T, prefix string) *fileSource {
	t.Helper()
	s := &fileSource{bootstrap: testkit.Kafka(t), dir: t.TempDir()}
	s.topic = testkit.NewTopic(t, s.bootstrap, 1)
	s.in, s.offsets = filepath.Join(s.dir, "in.txt"), filepath.Join(s.dir, "source.offsets")
	s.name = prefix + s.topic
	s.conn = map[string]string{"name": s.name, "connector.class": "FileStreamSource", "file": s.in, "topic": s.topic, "batch.size": "500"}
	return s
}

// start writes lines [0, lines) when lines > 0 and starts a worker running
// the source.
func (s *fileSource) start(t *testing.T, label string, props map[string]string, lines int) *testkit.Worker {
	t.Helper()
	if lines > 0 {
		appendLines(t, s.in, 0, lines)
	}
	return startWorker(t, s.dir, label, props, s.conn)
}

// feed grows the input while worker w runs, chunk lines at a time from line
// written, until at least atLeast lines are written and the source has
// committed an offset, so that a stop or a kill lands mid-stream; it
// returns how many lines the file holds.
func (s *fileSource) feed(t *testing.T, w *testkit.Worker, written, atLeast, chunk int) int {
	t.Helper()
	eventually(t, time.Minute, "a committed source offset", func() (bool, string) {
		if written < atLeast {
			appendLines(t, s.in, written, written+chunk)
			written += chunk
		}
		p := committedPosition(t, s.offsets, s.name, s.in)
		return p > 0 && written >= atLeast, fmt.Sprintf("position %d, %d lines written", p, written)
	}, w)
	return written
}

// committed returns the committed position, failing the test if it is not
// at a line boundary (of line's 100 bytes).
func (s *fileSource) committed(t *testing.T) int64 {
	t.Helper()
	p := committedPosition(t, s.offsets, s.name, s.in)
	if p%100 != 0 {
		t.Fatalf("committed position %d is not at a line boundary", p)
	}
	return p
}

// awaitCommitted waits until worker w has committed the first lines lines.
func (s *fileSource) awaitCommitted(t *testing.T, w *testkit.Worker, lines int) {
	t.Helper()
	eventually(t, 2*time.Minute, "every line committed after the restart", func() (bool, string) {
		p := committedPosition(t, s.offsets, s.name, s.in)
		return p == int64(lines)*100, fmt.Sprintf("position %d of %d", p, lines*100)
	}, w)
}

// checkResumed checks that got = want[:first] ++ want[j:] with
// committed ≤ j ≤ first, where first is how many lines the killed worker had
// delivered: the restarted run resumed at line j and delivered the rest in
// order. j ≤ first means nothing was lost; j ≥ committed means the only
// duplicates come from after the offset committed when the worker died
// (rule 3). j can exceed committed when a commit was already on its way to
// Kafka at the kill.
func checkResumed(t *testing.T, got []string, want func(int) string, total, committed, first int) {
	t.Helper()
	if len(got) < first {
		t.Fatalf("%d lines in all, fewer than the %d the first run delivered", len(got), first)
	}
	for i := 0; i < first; i++ {
		if got[i] != want(i) {
			t.Fatalf("line %d of the first run is %q, want %q", i, got[i], want(i))
		}
	}
	rest := got[first:]
	j := total - len(rest)
	switch {
	case j > first:
		t.Fatalf("lines %d..%d were lost: the first run delivered %d, the restart resumed at %d", first, j-1, first, j)
	case j < committed:
		t.Fatalf("the restart resumed at line %d, before the committed offset %d", j, committed)
	}
	for i, s := range rest {
		if s != want(j+i) {
			t.Fatalf("line %d after the restart is %q, want %q", i, s, want(j+i))
		}
	}
	t.Logf("first run delivered %d lines with %d committed at the kill; the restart resumed at %d: %d duplicates", first, committed, j, first-j)
}

// TestSourceWorkerKill9 kills a source worker mid-stream and restarts it:
// every line reaches the topic at least once, in order, and duplicates come
// only from after the last committed offset.
func TestSourceWorkerKill9(t *testing.T) {
	const total, chunk = 200_000, 2_000
	s := newFileSource(t, "kill-source-")
	w := s.start(t, "source", workerProps(s.bootstrap, s.offsets), chunk)
	written := s.feed(t, w, chunk, total/2, chunk)
	w.Kill9()
	committed := s.committed(t)
	appendLines(t, s.in, written, total)

	w = s.start(t, "source-restarted", workerProps(s.bootstrap, s.offsets), 0)
	s.awaitCommitted(t, w, total)
	w.Term()
	// The offsets file of a dead worker cannot change, so the restart
	// resumes exactly at the committed line; the first run delivered the
	// records before the restarted run's (a produce request in flight at
	// the kill may land after it died, so the topic length read then is no
	// measure).
	got := readTopic(t, s.bootstrap, s.topic)
	resume := int(committed / 100)
	checkResumed(t, got, line, total, resume, len(got)-(total-resume))
}

// TestSinkWorkerKill9 kills a sink worker mid-stream and restarts it: every
// record reaches the file at least once, in order, and duplicates come only
// from after the last committed consumer offset.
func TestSinkWorkerKill9(t *testing.T) {
	const total, chunk = 200_000, 2_000
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.txt")
	name := "kill-sink-" + topic
	conn := map[string]string{"name": name, "connector.class": "FileStreamSink", "file": out, "topics": topic}

	lp := newLineProducer(t, bootstrap, topic)
	lp.to(chunk)
	committed := func() int64 { return sinkCommitted(t, bootstrap, name, topic) }

	w := startWorker(t, dir, "sink", workerProps(bootstrap, filepath.Join(dir, "sink.offsets")), conn)
	eventually(t, time.Minute, "a committed sink offset", func() (bool, string) {
		if lp.produced < total/2 {
			lp.to(lp.produced + chunk)
		}
		c := committed()
		return c > 0 && lp.produced >= total/2, fmt.Sprintf("committed %d, produced %d", c, lp.produced)
	}, w)
	w.Kill9()
	c := committed()
	first := countLines(out)
	lp.to(total)

	w = startWorker(t, dir, "sink-restarted", workerProps(bootstrap, filepath.Join(dir, "sink.offsets")), conn)
	eventually(t, 2*time.Minute, "every record committed after the restart", func() (bool, string) {
		cc := committed()
		return cc == total, fmt.Sprintf("committed %d of %d", cc, total)
	}, w)
	w.Term()
	checkResumed(t, readLines(t, out), line, total, int(c), first)
}

func producerConfig() *sarama.Config {
	c := testkit.SaramaConfig()
	c.Producer.Return.Successes = true
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Idempotent = true
	c.Net.MaxOpenRequests = 1
	return c
}
