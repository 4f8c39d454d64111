package file

import (
	"context"
	"testing"

	"github.com/sluicehq/sluice/connectors"
)

// TestSourceAlterOffsets holds the file source's offset checks to Kafka
// Connect's FileStreamSourceConnector.alterOffsets, messages included: a
// reset (a null offset) is taken for any partition, so that offsets left by
// mistake can be removed.
func TestSourceAlterOffsets(t *testing.T) {
	props := map[string]string{FileKey: "/tmp/in.txt", TopicKey: "t"}
	file := map[string]any{FilenameField: "/tmp/in.txt"}
	for _, tc := range []struct {
		name    string
		props   map[string]string
		offsets []connectors.SourceOffset
		wantErr string
	}{
		{name: "position", offsets: []connectors.SourceOffset{{Partition: file, Offset: map[string]any{PositionField: int64(5)}}}},
		{name: "reset", offsets: []connectors.SourceOffset{{Partition: file}}},
		{name: "stdin", props: map[string]string{TopicKey: "t"}, offsets: []connectors.SourceOffset{{Partition: file}},
			wantErr: "Offsets cannot be modified if the 'file' configuration is unspecified. This is because stdin is used for input and offsets are not tracked."},
		{name: "empty partition, reset", offsets: []connectors.SourceOffset{{Partition: map[string]any{}}}},
		{name: "other key, reset", offsets: []connectors.SourceOffset{{Partition: map[string]any{"file": "/tmp/in.txt"}}}},
		{name: "filename not a string, reset", offsets: []connectors.SourceOffset{{Partition: map[string]any{FilenameField: int64(1)}}}},
		{name: "garbage reset among good offsets", offsets: []connectors.SourceOffset{
			{Partition: file, Offset: map[string]any{PositionField: int64(5)}},
			{Partition: map[string]any{"x": true}},
		}},
		{name: "empty partition", offsets: []connectors.SourceOffset{{Partition: map[string]any{}, Offset: map[string]any{PositionField: int64(5)}}},
			wantErr: "Partition objects should contain the key 'filename'"},
		{name: "other key", offsets: []connectors.SourceOffset{{Partition: map[string]any{"file": "/tmp/in.txt"}, Offset: map[string]any{PositionField: int64(5)}}},
			wantErr: "Partition objects should contain the key 'filename'"},
		{name: "filename not a string", offsets: []connectors.SourceOffset{{Partition: map[string]any{FilenameField: int64(1)}, Offset: map[string]any{PositionField: int64(5)}}},
			wantErr: "The value for the 'filename' key in the partition is expected to be a String value, the file's name"},
		{name: "no position", offsets: []connectors.SourceOffset{{Partition: file, Offset: map[string]any{"pos": int64(5)}}},
			wantErr: "Offset objects should either be null or contain the key 'position'"},
		{name: "position a string", offsets: []connectors.SourceOffset{{Partition: file, Offset: map[string]any{PositionField: "5"}}},
			wantErr: "The value for the 'position' key in the offset is expected to be a Long value"},
		{name: "position a fraction", offsets: []connectors.SourceOffset{{Partition: file, Offset: map[string]any{PositionField: 5.5}}},
			wantErr: "The value for the 'position' key in the offset is expected to be a Long value"},
		{name: "negative position", offsets: []connectors.SourceOffset{{Partition: file, Offset: map[string]any{PositionField: int64(-1)}}},
			wantErr: "The value for the 'position' key in the offset should be a non-negative value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := props
			if tc.props != nil {
				p = tc.props
			}
			full, err := (&Source{}).AlterOffsets(context.Background(), p, tc.offsets)
			switch {
			case tc.wantErr == "" && (err != nil || !full):
				t.Fatalf("AlterOffsets = %v, %v", full, err)
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
				t.Fatalf("err = %v\nwant %s", err, tc.wantErr)
			}
		})
	}
}
