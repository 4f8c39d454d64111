package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
)

func TestSinkWritesValuesAsLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.txt")
	os.WriteFile(path, []byte("existing\n"), 0o644)
	task := NewSink().NewTask()
	ctx := context.Background()
	if err := task.Start(ctx, nil, map[string]string{FileKey: path}); err != nil {
		t.Fatal(err)
	}
	recs := []connectors.SinkRecord{{Record: connectors.Record{Value: "a"}}, {Record: connectors.Record{Value: nil}}, {Record: connectors.Record{Value: int64(7)}}}
	if err := task.Put(ctx, recs); err != nil {
		t.Fatal(err)
	}
	// Lines are in the file when Put returns, before any Flush.
	b, _ := os.ReadFile(path)
	if string(b) != "existing\na\nnull\n7\n" {
		t.Fatalf("file holds %q", b)
	}
	if err := task.Flush(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := task.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// startSink starts a sink task writing to path ("" for stdout), stopped
// when the test ends.
func startSink(t *testing.T, path string) *sinkTask {
	t.Helper()
	task := NewSink().NewTask().(*sinkTask)
	props := map[string]string{}
	if path != "" {
		props[FileKey] = path
	}
	if err := task.Start(context.Background(), nil, props); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { task.Stop(context.Background()) })
	return task
}

// sinkRecords returns n records of topic "t" partition 0 from offset
// from, each value a 100-byte line naming its offset.
func sinkRecords(from, n int) []connectors.SinkRecord {
	recs := make([]connectors.SinkRecord, n)
	for i := range recs {
		off := int64(from + i)
		v := fmt.Sprintf("record-%06d-", off)
		v += strings.Repeat("x", 99-len(v))
		recs[i] = connectors.SinkRecord{Record: connectors.Record{Topic: "t", Value: v}, Offset: off,
			OriginalTopic: "t", OriginalOffset: off}
	}
	return recs
}

// lines is the file content the records should make.
func lines(recs ...[]connectors.SinkRecord) string {
	var b strings.Builder
	for _, rs := range recs {
		for _, r := range rs {
			b.WriteString(r.Value.(string) + "\n")
		}
	}
	return b.String()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// failingWrite makes task's writes fail with errno after writing at most
// after bytes (through the real write), while fail() says so.
func failingWrite(task *sinkTask, after int, errno syscall.Errno, fail func() bool) {
	write := task.write
	task.write = func(b []byte) (int, error) {
		if !fail() {
			return write(b)
		}
		n, err := write(b[:min(after, len(b))])
		if err != nil {
			return n, err
		}
		return n, &os.PathError{Op: "write", Path: task.name(), Err: errno}
	}
}

// TestSinkCutsOffAFailedWrite: a write that fails part way leaves the file
// as it was before the batch; a full disk (or quota) is retriable, another
// error is not; the batch put again is then written once.
func TestSinkCutsOffAFailedWrite(t *testing.T) {
	for _, tc := range []struct {
		name      string
		after     int
		errno     syscall.Errno
		retriable bool
	}{
		{"disk full mid-line", 1050, syscall.ENOSPC, true},
		{"disk full at a line end", 1000, syscall.ENOSPC, true},
		{"quota before any byte", 0, syscall.EDQUOT, true},
		{"I/O error mid-line", 1234, syscall.EIO, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.txt")
			task := startSink(t, path)
			ctx := context.Background()
			first, second := sinkRecords(0, 10), sinkRecords(10, 50)
			if err := task.Put(ctx, first); err != nil {
				t.Fatal(err)
			}
			failing := true
			failingWrite(task, tc.after, tc.errno, func() bool { return failing })
			err := task.Put(ctx, second)
			if !errors.Is(err, tc.errno) || connectors.IsRetriable(err) != tc.retriable {
				t.Fatalf("Put = %v (retriable %v), want %v (retriable %v)", err, connectors.IsRetriable(err), tc.errno, tc.retriable)
			}
			if got := readFile(t, path); got != lines(first) {
				t.Fatalf("after the failed write the file holds %d bytes, want the %d of the first batch; its tail: %q",
					len(got), len(lines(first)), got[max(0, len(got)-150):])
			}
			failing = false
			if err := task.Put(ctx, second); err != nil {
				t.Fatal(err)
			}
			if err := task.Flush(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, path); got != lines(first, second) {
				t.Fatalf("after the retry the file holds %d bytes, want %d", len(got), len(lines(first, second)))
			}
		})
	}
}

// TestSinkDiskFull fills a real file system (a small tmpfs, as root) while
// the sink writes, then frees it: the full disk is a retriable error, the
// file holds whole lines only, and after the space came back every record
// is in it exactly once. Without root it falls back to injected ENOSPC.
func TestSinkDiskFull(t *testing.T) {
	dir := testkit.Tmpfs(t, "256k")
	injected := dir == ""
	if injected {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "out.txt")
	filler := filepath.Join(dir, "filler")
	task := startSink(t, path)
	ctx := context.Background()
	full := false
	if injected {
		failingWrite(task, 4096+50, syscall.ENOSPC, func() bool { return full })
	}

	first, second := sinkRecords(0, 10), sinkRecords(10, 300) // 1 kB, then 30 kB
	if err := task.Put(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := task.Flush(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if injected {
		full = true
	} else {
		testkit.FillUp(t, filler, 8<<10)
	}
	for range 3 { // still full at every retry
		err := task.Put(ctx, second)
		if !errors.Is(err, syscall.ENOSPC) || !connectors.IsRetriable(err) {
			t.Fatalf("Put on a full disk = %v, want a retriable ENOSPC", err)
		}
		if got := readFile(t, path); got != lines(first) {
			t.Fatalf("on a full disk the file holds %d bytes, want the %d of the first batch; its tail: %q",
				len(got), len(lines(first)), got[max(0, len(got)-150):])
		}
	}
	if injected {
		full = false
	} else if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := task.Put(ctx, second); err != nil {
		t.Fatalf("Put once there is room: %v", err)
	}
	if err := task.Flush(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != lines(first, second) {
		t.Fatalf("after the disk was freed the file holds %d bytes, want %d", len(got), len(lines(first, second)))
	}
}

// TestSinkTasksSharingAFile: tasks that append to one file (those of
// several connectors, or of workers on one host) take turns, so one task
// cutting off its failed write never cuts off another's lines.
func TestSinkTasksSharingAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.txt")
	a, b := startSink(t, path), startSink(t, path)
	// a's every other write fails part way, and dawdles before it returns,
	// so that b writes while a's partial batch is in the file unless the
	// lock keeps it out.
	var mu sync.Mutex
	fail := false
	write := a.write
	a.write = func(p []byte) (int, error) {
		mu.Lock()
		fail = !fail
		f := fail
		mu.Unlock()
		if !f {
			return write(p)
		}
		n, _ := write(p[:len(p)/2+1])
		time.Sleep(time.Millisecond)
		return n, &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
	}
	ctx := context.Background()
	const batches, size = 40, 20
	var wg sync.WaitGroup
	put := func(task *sinkTask, from int) {
		defer wg.Done()
		for i := range batches {
			recs := sinkRecords(from+i*size, size)
			for {
				err := task.Put(ctx, recs)
				if err == nil {
					break
				}
				if !connectors.IsRetriable(err) {
					t.Error(err)
					return
				}
			}
		}
	}
	wg.Add(2)
	go put(a, 0)
	go put(b, 1_000_000)
	wg.Wait()
	got := strings.Split(strings.TrimSuffix(readFile(t, path), "\n"), "\n")
	want := map[string]bool{}
	for _, from := range []int{0, 1_000_000} {
		for _, r := range sinkRecords(from, batches*size) {
			want[r.Value.(string)] = true
		}
	}
	seen := map[string]bool{}
	for i, l := range got {
		if !want[l] || seen[l] {
			t.Fatalf("line %d is %q: torn, foreign or twice", i+1, l)
		}
		seen[l] = true
	}
	if len(seen) != len(want) {
		t.Fatalf("%d of %d lines in the file", len(seen), len(want))
	}
}

// TestSinkKeepsAnUnterminatedLastLine: a file whose last line has no
// newline (a user's last line, or one torn by a crash) keeps it, whole, as
// Kafka Connect's sink only appends; the task warns, naming the file and
// the line's length, and writes a newline before its first record so that
// every record starts a line of its own, also when that first write fails
// and is written again.
func TestSinkKeepsAnUnterminatedLastLine(t *testing.T) {
	long := strings.Repeat("y", 150<<10)       // longer than a read of the backwards scan
	huge := strings.Repeat("z", maxTailScan+5) // longer than the scan goes
	for _, tc := range []struct {
		name, before string
		unterminated string // the warning's unterminated_bytes; "" for no warning
		failFirst    bool   // the first write fails part way
	}{
		{name: "empty"},
		{name: "whole lines", before: "a\nb\n"},
		{name: "last line without newline", before: "a\nb\npart", unterminated: "4"},
		{name: "no newline at all", before: "part", unterminated: "4"},
		{name: "no newline at all, first write fails", before: "part", unterminated: "4", failFirst: true},
		{name: "long last line", before: "a\n" + long, unterminated: fmt.Sprint(len(long))},
		{name: "long whole line then long last line", before: long + "\n" + long, unterminated: fmt.Sprint(len(long))},
		{name: "carriage return is not a newline", before: "a\r", unterminated: "2"},
		{name: "longer than the scan", before: "a\n" + huge, unterminated: fmt.Sprintf(`"at least %d"`, maxTailScan)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.txt")
			if err := os.WriteFile(path, []byte(tc.before), 0o644); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			task := NewSink().NewTask().(*sinkTask)
			task.SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
			ctx := context.Background()
			if err := task.Start(ctx, nil, map[string]string{FileKey: path}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { task.Stop(ctx) })
			if got := readFile(t, path); got != tc.before {
				t.Fatalf("after Start the file holds %d bytes, want the %d it held", len(got), len(tc.before))
			}
			out := logs.String()
			if tc.unterminated == "" {
				if out != "" {
					t.Fatalf("logged %q", out)
				}
			} else if strings.Count(out, "\n") != 1 || !strings.Contains(out, "level=WARN") || !strings.Contains(out, "file="+path) ||
				!strings.Contains(out, "unterminated_bytes="+tc.unterminated) {
				t.Fatalf("logged %q, want one warning naming the file and unterminated_bytes=%s", out, tc.unterminated)
			}
			if err := task.Put(ctx, nil); err != nil { // nothing to write: no newline either
				t.Fatal(err)
			}
			first, second := sinkRecords(0, 3), sinkRecords(3, 2)
			if tc.failFirst {
				failing := true
				failingWrite(task, 3, syscall.ENOSPC, func() bool { return failing })
				if err := task.Put(ctx, first); !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("Put = %v, want ENOSPC", err)
				}
				if got := readFile(t, path); got != tc.before {
					t.Fatalf("after the failed write the file holds %q", got[max(0, len(got)-120):])
				}
				failing = false
			}
			if err := task.Put(ctx, first); err != nil {
				t.Fatal(err)
			}
			if err := task.Put(ctx, second); err != nil {
				t.Fatal(err)
			}
			want := tc.before
			if tc.unterminated != "" {
				want += "\n"
			}
			want += lines(first, second)
			if got := readFile(t, path); got != want {
				t.Fatalf("after Put the file holds %d bytes ending %q, want %d ending %q",
					len(got), got[max(0, len(got)-120):], len(want), want[max(0, len(want)-120):])
			}
		})
	}
}

// TestSinkFailedFsyncStaysFailed: after an fsync failed, what was written
// since the last flush may not be on disk even if a later fsync succeeds,
// so every later Flush and Put fails too and no offset is committed past
// the last good flush.
func TestSinkFailedFsyncStaysFailed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.txt")
	task := startSink(t, path)
	ctx := context.Background()
	fails := 1
	sync := task.sync
	task.sync = func() error {
		if fails > 0 {
			fails--
			return &os.PathError{Op: "sync", Path: path, Err: syscall.EIO}
		}
		return sync()
	}
	if err := task.Put(ctx, sinkRecords(0, 5)); err != nil {
		t.Fatal(err)
	}
	err := task.Flush(ctx, nil)
	if !errors.Is(err, syscall.EIO) || connectors.IsRetriable(err) {
		t.Fatalf("Flush = %v, want a non-retriable EIO", err)
	}
	if err := task.Flush(ctx, nil); !errors.Is(err, syscall.EIO) {
		t.Fatalf("the next Flush = %v, want the fsync failure again", err)
	}
	if err := task.Put(ctx, sinkRecords(5, 5)); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Put after a failed fsync = %v, want the fsync failure", err)
	}
}

// TestSinkStdoutFinishesTornWrite: stdout cannot be cut back, so the rest
// of a failed write is written first by the next Put: the batch put again
// is then not written twice, and another batch starts on a new line.
func TestSinkStdoutFinishesTornWrite(t *testing.T) {
	for _, tc := range []struct {
		name     string
		retry    []connectors.SinkRecord // what the next Put brings
		wantNext string                  // what ends up written after the first batch's start
	}{
		{"same batch again", sinkRecords(10, 20), lines(sinkRecords(10, 20))},
		{"another batch", sinkRecords(500, 3), lines(sinkRecords(10, 20), sinkRecords(500, 3))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			task := startSink(t, "")
			var out bytes.Buffer
			task.write = out.Write
			failing := true
			failingWrite(task, 250, syscall.ENOSPC, func() bool { return failing })
			ctx := context.Background()
			err := task.Put(ctx, sinkRecords(10, 20))
			if !connectors.IsRetriable(err) || out.Len() != 250 {
				t.Fatalf("Put = %v with %d bytes out, want a retriable error after 250", err, out.Len())
			}
			failing = false
			if err := task.Put(ctx, tc.retry); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != tc.wantNext {
				t.Fatalf("stdout got %d bytes, want %d:\n%q", len(got), len(tc.wantNext), got)
			}
			if err := task.Flush(ctx, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSinkStdoutFlushFinishesTornWrite: a task stopped while a write was
// torn finishes the line in Flush, and a stream is never fsynced.
func TestSinkStdoutFlushFinishesTornWrite(t *testing.T) {
	task := startSink(t, "")
	var out bytes.Buffer
	task.write = out.Write
	failing := true
	failingWrite(task, 150, syscall.EPIPE, func() bool { return failing })
	ctx := context.Background()
	if err := task.Put(ctx, sinkRecords(0, 3)); err == nil || connectors.IsRetriable(err) {
		t.Fatalf("Put to a broken pipe = %v, want a non-retriable error", err)
	}
	failing = false
	if err := task.Flush(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if out.String() != lines(sinkRecords(0, 3)) {
		t.Fatalf("stdout got %q", out.String())
	}
}
