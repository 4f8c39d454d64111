package sink

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// fakeContext is a SinkTaskContext whose reporter keeps the reported records; with tolerate
// false its Report fails, as errors.tolerance=none does.
type fakeContext struct {
	mu       sync.Mutex
	tolerate bool
	reported []reported
	timeout  time.Duration
}

type reported struct {
	offset int64
	err    error
}

func (c *fakeContext) Offset(connectors.TopicPartition, int64)               {}
func (c *fakeContext) Timeout(d time.Duration)                               { c.timeout = d }
func (c *fakeContext) Assignment() []connectors.TopicPartition               { return nil }
func (c *fakeContext) Pause(...connectors.TopicPartition)                    {}
func (c *fakeContext) Resume(...connectors.TopicPartition)                   {}
func (c *fakeContext) RequestCommit()                                        {}
func (c *fakeContext) ErrantRecordReporter() connectors.ErrantRecordReporter { return c }

func (c *fakeContext) Report(rec *connectors.SinkRecord, err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.tolerate {
		return fmt.Errorf("tolerance exceeded in error handler: %w", err)
	}
	c.reported = append(c.reported, reported{offset: rec.OriginalOffset, err: err})
	return nil
}

func (c *fakeContext) reportedOffsets() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int64
	for _, r := range c.reported {
		out = append(out, r.offset)
	}
	return out
}

// logCounter is a slog handler that counts messages.
type logCounter struct {
	mu    sync.Mutex
	msgs  map[string]int
	lines []string // each record: level, message and attributes
}

func (h *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *logCounter) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs[r.Message]++
	line := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool {
		line += " " + a.String()
		return true
	})
	h.lines = append(h.lines, line)
	return nil
}

// text is every record logged, one per line.
func (h *logCounter) text() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.lines, "\n")
}
func (h *logCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logCounter) WithGroup(string) slog.Handler      { return h }
func (h *logCounter) count(msg string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.msgs[msg]
}

// props is a sink configuration for d with extra keys (key, value pairs).
func props(d testkit.Database, kv ...string) map[string]string {
	p := map[string]string{
		"name":                "jdbc-sink-test",
		ConnectionURLKey:      d.JDBCURL,
		ConnectionUserKey:     d.User,
		ConnectionPasswordKey: d.Password,
		RetryBackoffKey:       "10",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		p[kv[i]] = kv[i+1]
	}
	return p
}

// startTask starts a task on p; it is stopped at the end of the test.
func startTask(t *testing.T, p map[string]string, tc *fakeContext) (*task, *logCounter) {
	t.Helper()
	tk := &task{}
	lc := &logCounter{msgs: map[string]int{}}
	tk.SetLogger(slog.New(lc))
	if tc == nil {
		tc = &fakeContext{}
	}
	if err := tk.Start(context.Background(), tc, p); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = tk.Stop(context.Background()) })
	return tk, lc
}

// rec is a sink record on topic at offset.
func rec(topic string, offset int64, keySchema *schemas.Schema, key any, valueSchema *schemas.Schema, value any) connectors.SinkRecord {
	return connectors.SinkRecord{
		Record: connectors.Record{Topic: topic, Partition: connectors.Partition(0), KeySchema: keySchema, Key: key,
			ValueSchema: valueSchema, Value: value, Timestamp: time.UnixMilli(1700000000000)},
		Offset: offset, OriginalTopic: topic, OriginalOffset: offset,
	}
}

// rows reads a query's rows as text (NULL as "NULL"), one string per row, columns joined by "|".
func rows(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rs, err := db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []string
	for rs.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			if v == nil {
				parts[i] = "NULL"
			} else {
				parts[i] = string(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func equalRows(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows:\n got %q\nwant %q", got, want)
	}
}

func mustNotErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (c *fakeContext) Logger() *slog.Logger { return slog.New(slog.DiscardHandler) }
