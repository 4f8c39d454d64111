//go:build unix

package file

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSinkWritesToAPipe: file= may name a pipe or a device (/dev/stdout
// piped to another program): lines go through, and Flush does not fsync
// it (fsync fails on a pipe).
func TestSinkWritesToAPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(b)
	}()
	task := startSink(t, path) // opening blocks until the reader opens
	ctx := context.Background()
	if err := task.Put(ctx, sinkRecords(0, 3)); err != nil {
		t.Fatal(err)
	}
	if err := task.Flush(ctx, nil); err != nil {
		t.Fatalf("Flush of a pipe: %v", err)
	}
	if err := task.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != lines(sinkRecords(0, 3)) {
		t.Fatalf("the pipe's reader got %q", s)
	}
}

// TestSinkWithoutFlock: on a file system that does not lock files (NFS
// without lockd, some FUSE file systems), flock's error makes the task
// write without a lock, warning once, instead of failing every write; any
// other flock error still fails the write.
func TestSinkWithoutFlock(t *testing.T) {
	for _, tc := range []struct {
		errno  syscall.Errno
		unlock bool // the file system does not lock files
	}{
		{syscall.ENOLCK, true},
		{syscall.EINVAL, true},
		{syscall.EOPNOTSUPP, true},
		{syscall.ENOSYS, true},
		{syscall.EBADF, false},
		{syscall.EIO, false},
	} {
		t.Run(tc.errno.Error(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.txt")
			if err := os.WriteFile(path, []byte("existing\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			task := NewSink().NewTask().(*sinkTask)
			task.SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
			calls := 0
			task.flock = func(int, int) error { calls++; return tc.errno }
			ctx := context.Background()
			err := task.Start(ctx, nil, map[string]string{FileKey: path})
			if err == nil {
				t.Cleanup(func() { task.Stop(ctx) })
				err = task.Put(ctx, sinkRecords(0, 2))
			}
			if !tc.unlock {
				if !errors.Is(err, tc.errno) || !strings.Contains(err.Error(), "lock "+path) {
					t.Fatalf("Start or Put = %v, want the flock error %v naming the file", err, tc.errno)
				}
				if logs.Len() != 0 {
					t.Fatalf("logged %q", logs.String())
				}
				return
			}
			if err != nil {
				t.Fatalf("Start or Put = %v", err)
			}
			if err := task.Put(ctx, sinkRecords(2, 3)); err != nil {
				t.Fatal(err)
			}
			if err := task.Flush(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if got, want := readFile(t, path), "existing\n"+lines(sinkRecords(0, 5)); got != want {
				t.Fatalf("file holds %q, want %q", got, want)
			}
			if calls != 1 {
				t.Errorf("flock called %d times, want once: a file system that does not lock files is not asked again", calls)
			}
			out := logs.String()
			if strings.Count(out, "\n") != 1 || !strings.Contains(out, "level=WARN") || !strings.Contains(out, "file="+path) ||
				!strings.Contains(out, tc.errno.Error()) || !strings.Contains(out, "without a lock") {
				t.Errorf("logs %q, want one warning naming the file and the error", out)
			}
		})
	}
}
