//go:build unix

package file

import (
	"context"
	"io"
	"os"
	"path/filepath"
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
