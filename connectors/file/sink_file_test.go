package file

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluicehq/sluice/connectors"
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
