package standalone_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestGivenConnectorsBeyondConnectorsMax: connector files beyond
// connectors.max (counting the connectors stored before) stop start-up,
// whether their configuration is valid or not; an invalid one is otherwise
// stored FAILED (it does not stop the worker), and a file that replaces a
// stored connector of the same name adds none.
func TestGivenConnectorsBeyondConnectorsMax(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	in := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(in, []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	valid := func(name string) map[string]string {
		return map[string]string{"name": name, "connector.class": "FileStreamSource", "topic": topic, "file": in}
	}
	invalid := func(name string) map[string]string { // no topic
		return map[string]string{"name": name, "connector.class": "FileStreamSource", "file": in}
	}
	const limitErr = "This worker already has 2 connectors, the most connectors.max=2 allows"
	tests := []struct {
		name    string
		stored  []map[string]string // given to a first start on the same files
		given   []map[string]string
		wantErr string
		want    []string // the connectors stored after the start
		failed  []string // those of want that are FAILED
	}{
		{name: "valid files beyond the limit", given: []map[string]string{valid("a"), valid("b"), valid("c")},
			wantErr: limitErr, want: []string{"a", "b"}},
		{name: "invalid files beyond the limit", given: []map[string]string{invalid("a"), invalid("b"), invalid("c")},
			wantErr: limitErr, want: []string{"a", "b"}, failed: []string{"a", "b"}},
		{name: "an invalid file beyond valid ones", given: []map[string]string{valid("a"), valid("b"), invalid("c")},
			wantErr: limitErr, want: []string{"a", "b"}},
		{name: "an invalid file beyond stored connectors", stored: []map[string]string{valid("a"), valid("b")},
			given: []map[string]string{invalid("c")}, wantErr: limitErr, want: []string{"a", "b"}},
		{name: "within the limit", given: []map[string]string{valid("a"), invalid("b")},
			want: []string{"a", "b"}, failed: []string{"b"}},
		{name: "invalid files replacing stored connectors", stored: []map[string]string{valid("a"), valid("b")},
			given: []map[string]string{invalid("b"), invalid("a")}, want: []string{"a", "b"}, failed: []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			extra := map[string]string{"connectors.max": "2"}
			if tt.stored != nil {
				h := fileHerder(t, bootstrap, dir, extra, builtin.Registry(), io.Discard)
				if err := h.Start(ctx, tt.stored...); err != nil {
					t.Fatal(err)
				}
				h.Stop(ctx)
			}
			h := fileHerder(t, bootstrap, dir, extra, builtin.Registry(), io.Discard)
			err := h.Start(ctx, tt.given...)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Start: %v; want an error saying %q", err, tt.wantErr)
			}
			if got, _ := h.Connectors(ctx); !slices.Equal(got, tt.want) {
				t.Errorf("connectors %v, want %v", got, tt.want)
			}
			for _, name := range tt.want {
				st, err := h.ConnectorStatus(ctx, name)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if failed := st.Connector.State == herder.Failed; failed != slices.Contains(tt.failed, name) {
					t.Errorf("%s: %s (%s); want FAILED %v", name, st.Connector.State, st.Connector.Trace, !failed)
				}
			}
		})
	}
}
