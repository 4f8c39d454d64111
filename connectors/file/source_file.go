package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// SourceClass is the Java class name the source answers to.
const SourceClass = "org.apache.kafka.connect.file.FileStreamSourceConnector"

// maxLineBytes bounds a line, so that a file without line terminators
// cannot make the task buffer it all: a longer line fails the task. Kafka's
// producer could not send it anyway (its buffer.memory is 32 MiB).
const maxLineBytes = 32 << 20

// idleWait is how long Poll waits for more data at the end of the file or
// for a file that does not exist yet, as Kafka Connect's task does.
const idleWait = time.Second

func sourceDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: FileKey, Type: config.String, Default: nil, Importance: config.High,
			Doc: "Source filename. If not specified, the standard input will be used"}).
		Define(config.Key{Name: TopicKey, Type: config.String, Default: config.NoDefault, Validator: config.All(config.NonEmptyString(), config.TopicName(true)), Importance: config.High,
			Doc: "The topic to publish data to"}).
		Define(config.Key{Name: BatchSizeKey, Type: config.Int, Default: int32(2000), Validator: config.AtLeast(1), Importance: config.Low,
			Doc: "The maximum number of records the source task can read from the file each time it is polled"})
}

// Source is the file source connector.
type Source struct{ props map[string]string }

var _ connectors.SourceConnector = (*Source)(nil)

// NewSource returns a file source connector.
func NewSource() *Source { return &Source{} }

// Version implements connectors.Versioned.
func (*Source) Version() string { return Version }

// FileKeys names the key holding the file, for file.connector.allowed.paths.
func (*Source) FileKeys() []string { return []string{FileKey} }

// Config implements connectors.Connector.
func (*Source) Config() *config.Def { return sourceDef() }

// Start implements connectors.Connector.
func (s *Source) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	if _, err := sourceDef().Parse(props); err != nil {
		return err
	}
	s.props = props
	return nil
}

// TaskConfigs implements connectors.Connector: one task reads the file,
// with the connector's whole configuration as given, as Kafka Connect's
// FileStreamSourceConnector returns it (so a task configuration written by
// Kafka Connect and one written here are equal, and a switch between the
// two does not rewrite it and restart the task).
func (s *Source) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{maps.Clone(s.props)}, nil
}

// Stop implements connectors.Connector.
func (*Source) Stop(context.Context) error { return nil }

// NewTask implements connectors.SourceConnector.
func (*Source) NewTask() connectors.SourceTask { return &sourceTask{} }

// sourceTask reads lines from a file, resuming at the committed position.
type sourceTask struct {
	tc        connectors.SourceTaskContext
	filename  string
	topic     string
	batchSize int
	in        io.ReadCloser
	stdin     bool
	partition map[string]any // reused for every record: the runtime tracks it by identity
	pos       int64          // byte position of buf[0] in the file
	buf       []byte
	eof       bool
	maxLine   int // maxLineBytes; tests lower it
	wait      func(ctx context.Context, d time.Duration)
}

func (t *sourceTask) Start(_ context.Context, tc connectors.SourceTaskContext, props map[string]string) error {
	v, err := sourceDef().Parse(props)
	if err != nil {
		return err
	}
	t.tc = tc
	t.filename = v.String(FileKey)
	t.topic = v.String(TopicKey)
	t.batchSize = int(v.Int(BatchSizeKey))
	t.buf = make([]byte, 0, 64<<10)
	t.wait = sleep
	t.maxLine = maxLineBytes
	if t.filename == "" {
		t.in, t.stdin = os.Stdin, true
	} else {
		t.partition = map[string]any{FilenameField: t.filename}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

// open opens the file and skips to the committed position; a missing file
// is waited for.
func (t *sourceTask) open(ctx context.Context) (bool, error) {
	f, err := os.Open(t.filename)
	if errors.Is(err, fs.ErrNotExist) {
		t.wait(ctx, idleWait)
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open %s: %w", t.filename, err)
	}
	off, err := t.tc.Offsets().Offset(ctx, t.partition)
	if err != nil {
		f.Close()
		return false, fmt.Errorf("read offset of %s: %w", t.filename, err)
	}
	t.pos = 0
	if off != nil {
		p, ok := off[PositionField].(int64)
		if !ok {
			f.Close()
			return false, fmt.Errorf("offset of %s has no integer %q: %v", t.filename, PositionField, off)
		}
		if _, err := f.Seek(p, io.SeekStart); err != nil {
			f.Close()
			return false, fmt.Errorf("seek %s to %d: %w", t.filename, p, err)
		}
		t.pos = p
	}
	t.in = f
	return true, nil
}

// Poll returns up to batch.size complete lines; a last line without its
// terminator waits for more data, as in Kafka Connect, and its bytes are
// not covered by any offset until it is complete. A line longer than
// maxLine fails the task.
func (t *sourceTask) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	if t.in == nil {
		if ok, err := t.open(ctx); !ok || err != nil {
			return nil, err
		}
	}
	var recs []connectors.SourceRecord
	for len(recs) < t.batchSize {
		line, n, ok := nextLine(t.buf, t.eof && t.stdin)
		if (ok && len(line) > t.maxLine) || (!ok && len(t.buf) > t.maxLine) {
			if len(recs) > 0 {
				break // send the lines before it first
			}
			return nil, fmt.Errorf("the line at byte position %d of %s is longer than %d bytes, the most the file source reads as one record", t.pos, t.name(), t.maxLine)
		}
		if !ok {
			if t.eof && len(recs) > 0 {
				break
			}
			if err := t.fill(); err != nil {
				return recs, err
			}
			if t.eof && !t.canRead() {
				break
			}
			continue
		}
		t.buf = t.buf[n:]
		t.pos += int64(n)
		rec := connectors.SourceRecord{
			Record: connectors.Record{Topic: t.topic, ValueSchema: schemas.StringSchema, Value: string(line), Timestamp: time.Now()},
		}
		if !t.stdin {
			rec.SourcePartition = t.partition
			rec.SourceOffset = map[string]any{PositionField: t.pos}
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 && t.eof {
		t.eof = false
		t.wait(ctx, idleWait)
	}
	return recs, nil
}

// canRead reports whether buffered data may still hold a line.
func (t *sourceTask) canRead() bool {
	_, _, ok := nextLine(t.buf, false)
	return ok
}

// fill reads more of the file into the buffer; at the end it sets eof.
func (t *sourceTask) fill() error {
	// Lines are sliced off the front, so the free room only shrinks: move
	// what is left to a fresh buffer when little room remains.
	if cap(t.buf)-len(t.buf) < 4096 {
		nb := make([]byte, len(t.buf), max(64<<10, 2*len(t.buf)+4096))
		copy(nb, t.buf)
		t.buf = nb
	}
	n, err := t.in.Read(t.buf[len(t.buf):cap(t.buf)])
	t.buf = t.buf[:len(t.buf)+n]
	if errors.Is(err, io.EOF) || (err == nil && n == 0) {
		t.eof = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", t.name(), err)
	}
	t.eof = false
	return nil
}

func (t *sourceTask) name() string {
	if t.stdin {
		return "stdin"
	}
	return t.filename
}

// nextLine finds the first complete line in b, ended by \n, \r\n or \r; it
// returns the line without its terminator and how many bytes it used. A \r
// at the very end needs the next byte to tell \r from \r\n, unless final.
func nextLine(b []byte, final bool) (line []byte, n int, ok bool) {
	i := bytes.IndexAny(b, "\r\n")
	if i < 0 {
		return nil, 0, false
	}
	if b[i] == '\n' {
		return b[:i], i + 1, true
	}
	if i+1 < len(b) {
		if b[i+1] == '\n' {
			return b[:i], i + 2, true
		}
		return b[:i], i + 1, true
	}
	if final {
		return b[:i], i + 1, true
	}
	return nil, 0, false
}

func (t *sourceTask) Stop(context.Context) error {
	if t.in != nil && !t.stdin {
		return t.in.Close()
	}
	return nil
}
