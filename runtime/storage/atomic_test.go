package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestFileOffsetsFullDisk checks data-integrity rule 5 on a file system
// that really fills up: the Put that finds no room fails with ENOSPC, and
// the file keeps, whole, what the last successful Put wrote; no temporary
// file is left behind.
func TestFileOffsetsFullDisk(t *testing.T) {
	dir := testkit.Tmpfs(t, "64k")
	if dir == "" {
		t.Skip("no tmpfs outside CI (see testkit.Tmpfs)")
	}
	ctx := context.Background()
	path := filepath.Join(dir, "offsets.json")
	f, err := OpenFileOffsets(path)
	if err != nil {
		t.Fatal(err)
	}
	p := map[string]any{"filename": "in.txt"}
	// Each Put rewrites the whole file with a larger offset; the file
	// system holds the old file and the temporary one side by side until
	// the rename, so a Put fails once the two do not fit.
	var last string
	var putErr error
	for n := 1; n < 64; n++ {
		v := strings.Repeat("x", n*1024)
		if putErr = f.Put(ctx, "src", []Offset{{Partition: p, Offset: map[string]any{"v": v}}}); putErr != nil {
			break
		}
		last = v
	}
	if !errors.Is(putErr, syscall.ENOSPC) {
		t.Fatalf("the Put that outgrew the file system returned %v, want ENOSPC", putErr)
	}
	if last == "" {
		t.Fatal("no Put succeeded")
	}
	g, err := OpenFileOffsets(path)
	if err != nil {
		t.Fatalf("reopen after the failed write: %v", err)
	}
	got, err := g.Get(ctx, "src", p)
	if err != nil {
		t.Fatal(err)
	}
	if got["v"] != last {
		t.Fatalf("after the failed write the file holds an offset of %d bytes, want the last one written (%d bytes)", len(got["v"].(string)), len(last))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "offsets.json" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
