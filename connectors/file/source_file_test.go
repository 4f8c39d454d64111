package file

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
)

func TestNextLine(t *testing.T) {
	tests := []struct {
		in    string
		final bool
		line  string
		n     int
		ok    bool
	}{
		{"abc\ndef", false, "abc", 4, true},
		{"abc\r\ndef", false, "abc", 5, true},
		{"abc\rdef", false, "abc", 4, true},
		{"abc\r", false, "", 0, false}, // \r or \r\n? wait for the next byte
		{"abc\r", true, "abc", 4, true},
		{"abc", false, "", 0, false}, // no terminator yet: wait
		{"\n", false, "", 1, true},
		{"", false, "", 0, false},
	}
	for _, tc := range tests {
		line, n, ok := nextLine([]byte(tc.in), tc.final)
		if string(line) != tc.line || n != tc.n || ok != tc.ok {
			t.Errorf("nextLine(%q, %v) = %q, %d, %v; want %q, %d, %v", tc.in, tc.final, line, n, ok, tc.line, tc.n, tc.ok)
		}
	}
}

type offsets map[string]any

func (o offsets) Offset(context.Context, map[string]any) (map[string]any, error) {
	if o == nil {
		return nil, nil
	}
	return o, nil
}

type taskContext struct{ o offsets }

func (c taskContext) Offsets() connectors.OffsetReader { return c.o }

func startSource(t *testing.T, path string, o offsets, batch string) *sourceTask {
	t.Helper()
	task := (&Source{}).NewTask().(*sourceTask)
	if err := task.Start(context.Background(), taskContext{o}, map[string]string{FileKey: path, TopicKey: "t", BatchSizeKey: batch}); err != nil {
		t.Fatal(err)
	}
	task.wait = func(context.Context, time.Duration) {} // no idle waits in tests
	t.Cleanup(func() { task.Stop(context.Background()) })
	return task
}

func poll(t *testing.T, task *sourceTask) ([]string, []int64) {
	t.Helper()
	recs, err := task.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	var pos []int64
	for _, r := range recs {
		lines = append(lines, r.Value.(string))
		pos = append(pos, r.SourceOffset[PositionField].(int64))
		if r.SourcePartition[FilenameField] != task.filename || r.Topic != "t" {
			t.Fatalf("record %+v", r)
		}
	}
	return lines, pos
}

// TestSourceReadsLinesAndPositions checks batches, line terminators, the
// byte positions recorded as offsets, a partial last line that waits for
// its terminator, and a file that grows.
func TestSourceReadsLinesAndPositions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.txt")
	os.WriteFile(path, []byte("one\r\ntwo\nthree\rfour"), 0o644)
	task := startSource(t, path, nil, "2")
	lines, pos := poll(t, task)
	if !reflect.DeepEqual(lines, []string{"one", "two"}) || !reflect.DeepEqual(pos, []int64{5, 9}) {
		t.Fatalf("first batch %q %v", lines, pos)
	}
	lines, pos = poll(t, task)
	if !reflect.DeepEqual(lines, []string{"three"}) || !reflect.DeepEqual(pos, []int64{15}) {
		t.Fatalf("second batch %q %v", lines, pos)
	}
	if lines, _ = poll(t, task); lines != nil {
		t.Fatalf("a line without its terminator was sent: %q", lines)
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(" and more\nfive\n")
	f.Close()
	lines, pos = poll(t, task)
	if !reflect.DeepEqual(lines, []string{"four and more", "five"}) || !reflect.DeepEqual(pos, []int64{29, 34}) {
		t.Fatalf("after the file grew %q %v", lines, pos)
	}
}

// TestSourceResumesAtCommittedPosition checks that a task starts reading
// at the committed position, and waits for a file that does not exist yet.
func TestSourceResumesAtCommittedPosition(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.txt")
	task := startSource(t, path, offsets{PositionField: int64(4)}, "10")
	if lines, _ := poll(t, task); lines != nil {
		t.Fatalf("records from a missing file: %q", lines)
	}
	os.WriteFile(path, []byte("one\ntwo\nthree\n"), 0o644)
	lines, pos := poll(t, task)
	if !reflect.DeepEqual(lines, []string{"two", "three"}) || !reflect.DeepEqual(pos, []int64{8, 14}) {
		t.Fatalf("resumed %q %v", lines, pos)
	}
}

func TestSourceRejectsBadOffset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.txt")
	os.WriteFile(path, []byte("x\n"), 0o644)
	task := startSource(t, path, offsets{PositionField: "ten"}, "10")
	if _, err := task.Poll(context.Background()); err == nil {
		t.Fatal("an offset without an integer position was accepted")
	}
}

func TestSourceConfig(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		ok    bool
	}{
		{map[string]string{TopicKey: "t"}, true},
		{map[string]string{}, false},
		{map[string]string{TopicKey: "a,b"}, false},
		{map[string]string{TopicKey: "t", BatchSizeKey: "0"}, false},
	} {
		err := NewSource().Start(context.Background(), nil, tc.props)
		if (err == nil) != tc.ok {
			t.Errorf("Start(%v) = %v", tc.props, err)
		}
	}
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// TestSourcePartialLastLine: a last line without its terminator (a writer
// in the middle of a line) is not sent, however often the task polls, and
// no offset covers its bytes; once it is complete it is sent whole, once,
// also by a task restarted from the committed position. A \r at the end
// waits for the next byte (it may be half of \r\n).
func TestSourcePartialLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.txt")
	os.WriteFile(path, []byte("a\nb"), 0o644)
	task := startSource(t, path, nil, "10")
	lines, pos := poll(t, task)
	if !reflect.DeepEqual(lines, []string{"a"}) || !reflect.DeepEqual(pos, []int64{2}) {
		t.Fatalf("first poll %q %v", lines, pos)
	}
	for _, more := range []string{"", "c", "d", "\r"} {
		appendTo(t, path, more)
		if lines, _ := poll(t, task); lines != nil {
			t.Fatalf("after appending %q a partial line was sent: %q", more, lines)
		}
	}
	appendTo(t, path, "\ne")
	lines, pos = poll(t, task)
	if !reflect.DeepEqual(lines, []string{"bcd"}) || !reflect.DeepEqual(pos, []int64{7}) {
		t.Fatalf("the completed line: %q %v, want [bcd] at 7 (one \\r\\n terminator)", lines, pos)
	}

	// A task restarted from the position committed before the line was
	// complete reads it whole.
	again := startSource(t, path, offsets{PositionField: int64(2)}, "10")
	lines, pos = poll(t, again)
	if !reflect.DeepEqual(lines, []string{"bcd"}) || !reflect.DeepEqual(pos, []int64{7}) {
		t.Fatalf("restarted at 2: %q %v", lines, pos)
	}
	appendTo(t, path, "f\r")
	if lines, _ := poll(t, again); lines != nil {
		t.Fatalf("a line ended by a \\r at the end of the file was sent before the next byte: %q", lines)
	}
	appendTo(t, path, "g\n")
	lines, pos = poll(t, again)
	if !reflect.DeepEqual(lines, []string{"ef", "g"}) || !reflect.DeepEqual(pos, []int64{10, 12}) {
		t.Fatalf("after \\r and more: %q %v", lines, pos)
	}
}

// TestSourceBoundsLineLength: a line longer than the limit, complete or
// not, fails the task with an error naming its position, after the lines
// before it were sent, and the task never buffers much more than the
// limit however long the line runs on.
func TestSourceBoundsLineLength(t *testing.T) {
	const limit = 100 << 10
	for _, tc := range []struct {
		name    string
		content string
		ok      bool
	}{
		{"a line at the limit", "x\n" + strings.Repeat("y", limit) + "\n", true},
		{"a complete line over the limit", "x\n" + strings.Repeat("y", limit+1) + "\n", false},
		{"no terminator for megabytes", "x\n" + strings.Repeat("y", 8<<20), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.txt")
			os.WriteFile(path, []byte(tc.content), 0o644)
			task := startSource(t, path, nil, "10")
			task.maxLine = limit
			var got []string
			var err error
			for range 10 {
				var recs []connectors.SourceRecord
				recs, err = task.Poll(context.Background())
				for _, r := range recs {
					got = append(got, r.Value.(string))
				}
				if err != nil || len(got) == 2 {
					break
				}
			}
			if c := cap(task.buf); c > 3*limit {
				t.Errorf("the task buffered up to %d bytes for a limit of %d", c, limit)
			}
			if tc.ok {
				if err != nil || len(got) != 2 || len(got[1]) != limit {
					t.Fatalf("got %d lines, err %v", len(got), err)
				}
				return
			}
			if len(got) != 1 || got[0] != "x" {
				t.Fatalf("lines before the long one: %q", got)
			}
			if err == nil || !strings.Contains(err.Error(), "byte position 2 of "+path) || !strings.Contains(err.Error(), "longer than 102400 bytes") {
				t.Fatalf("error %v", err)
			}
		})
	}
}

func (c taskContext) Logger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestSourceTopicIsString: topic is a STRING as in Kafka Connect 4.4's
// FileStreamSourceConnector, so a comma is part of the name, which Kafka
// does not allow: the error names the key and the value whole.
func TestSourceTopicIsString(t *testing.T) {
	k, ok := NewSource().Config().Key(TopicKey)
	if !ok || k.Info().Type != "STRING" {
		t.Fatalf("topic is defined as %q, want STRING", k.Info().Type)
	}
	tests := []struct {
		name, topic, wantErr string
	}{
		{name: "one topic", topic: "lines"},
		{name: "trimmed", topic: " lines ", wantErr: ""},
		{name: "comma", topic: "a,b", wantErr: "Invalid value a,b for configuration topic: Topic name is invalid: 'a,b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"},
		{name: "empty", topic: "", wantErr: "Invalid value  for configuration topic: String must be non-empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs []string
			for _, r := range NewSource().Config().Validate(map[string]string{TopicKey: tt.topic}) {
				if r.Name == TopicKey {
					errs = r.Errors
				}
			}
			switch {
			case tt.wantErr == "" && len(errs) != 0:
				t.Fatalf("errors %q, want none", errs)
			case tt.wantErr != "" && (len(errs) != 1 || errs[0] != tt.wantErr):
				t.Fatalf("errors %q, want [%q]", errs, tt.wantErr)
			}
		})
	}
}
