package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"strconv"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// SinkClass is the Java class name the sink answers to.
const SinkClass = "org.apache.kafka.connect.file.FileStreamSinkConnector"

func sinkDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: FileKey, Type: config.String, Default: nil, Importance: config.High,
			Doc: "Destination filename. If not specified, the standard output will be used"})
}

// Sink is the file sink connector.
type Sink struct{ props map[string]string }

var _ connectors.SinkConnector = (*Sink)(nil)

// NewSink returns a file sink connector.
func NewSink() *Sink { return &Sink{} }

// Version implements connectors.Versioned.
func (*Sink) Version() string { return Version }

// FileKeys names the key holding the file, for file.connector.allowed.paths.
func (*Sink) FileKeys() []string { return []string{FileKey} }

// Config implements connectors.Connector.
func (*Sink) Config() *config.Def { return sinkDef() }

// Start implements connectors.Connector.
func (s *Sink) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	if _, err := sinkDef().Parse(props); err != nil {
		return err
	}
	s.props = props
	return nil
}

// TaskConfigs implements connectors.Connector: one task writes the file,
// whatever tasks.max says, with the connector's whole configuration as
// given, as Kafka Connect's task configurations hold it. Kafka Connect's
// returns tasks.max copies, every task appending to the same file; a file
// has one writer here, so that each batch is written and fsynced whole and
// committed offsets never run ahead of the file, and so that an absurd
// tasks.max costs nothing.
func (s *Sink) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{maps.Clone(s.props)}, nil
}

// Stop implements connectors.Connector.
func (*Sink) Stop(context.Context) error { return nil }

// NewTask implements connectors.SinkConnector.
func (*Sink) NewTask() connectors.SinkTask { return &sinkTask{} }

// sinkTask appends each record's value and a newline to the file. Each Put
// ends with one write of whole lines, so lines reach the file as they
// arrive (not at the next offset flush). A write that fails half way (a
// full disk) is cut off again, under an flock(2) that every sluice task
// appending to the file takes (those of other connectors or workers), so
// the task never leaves a partial line of its own; a full disk is a
// retriable error, after which the runtime puts the same batch again.
// Flush fsyncs, so committed offsets never run ahead of the file's durable
// content. What the file held before the task started is never changed.
//
// stdout, a pipe or a device (file=/dev/stdout) cannot be cut back: there
// the unwritten rest of a failed write is kept and written first by the
// next Put or Flush, so lines stay whole there too. They are not fsynced.
type sinkTask struct {
	filename string
	file     *os.File // the file opened for file=, closed by Stop
	regular  bool     // file is a regular file: locked, cut back, fsynced
	// write writes to file, or to stdout, and sync fsyncs file; tests
	// replace them to inject failures.
	write func([]byte) (int, error)
	sync  func() error
	// flock is syscall.Flock (unix) unless a test replaces it; noLock is
	// set once flock said that the file system does not lock files.
	flock  func(fd, how int) error
	noLock bool
	log    *slog.Logger // SetLogger's, else the context's Logger
	buf    []byte
	// newline is set when the file did not end in a newline when the task
	// started: one is written before the first record.
	newline bool
	// Streams only: torn says a write of the batch tornBatch failed part
	// way; pending is what is left of it to write.
	torn      bool
	tornBatch batchID
	pending   []byte
	// failed is set when a flush or a cut-back failed: the file's content
	// since the last flush is uncertain, so no later Flush may succeed (an
	// fsync that failed once can succeed the next time with the data lost).
	failed error
}

// batchID names a batch of records by its size and the coordinates of its
// first and last records, as consumed.
type batchID struct {
	n           int
	first, last connectors.TopicPartition
	firstOffset int64
	lastOffset  int64
}

func idOf(records []connectors.SinkRecord) batchID {
	if len(records) == 0 {
		return batchID{}
	}
	f, l := &records[0], &records[len(records)-1]
	return batchID{
		n:           len(records),
		first:       connectors.TopicPartition{Topic: f.OriginalTopic, Partition: f.OriginalPartition},
		last:        connectors.TopicPartition{Topic: l.OriginalTopic, Partition: l.OriginalPartition},
		firstOffset: f.OriginalOffset,
		lastOffset:  l.OriginalOffset,
	}
}

// SetLogger implements connectors.Logging.
func (t *sinkTask) SetLogger(log *slog.Logger) { t.log = log }

func (t *sinkTask) Start(ctx context.Context, tc connectors.SinkTaskContext, props map[string]string) error {
	v, err := sinkDef().Parse(props)
	if err != nil {
		return err
	}
	if t.log == nil { // SetLogger's, else the context's
		t.log = slog.New(slog.DiscardHandler)
		if tc != nil {
			t.log = tc.Logger()
		}
	}
	t.filename = v.String(FileKey)
	t.buf = make([]byte, 0, 64<<10)
	if t.filename == "" {
		t.write = os.Stdout.Write
		return nil
	}
	f, err := os.OpenFile(t.filename, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open %s for appending: %w", t.filename, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("stat %s: %w", t.filename, err)
	}
	t.file, t.regular, t.write, t.sync = f, fi.Mode().IsRegular(), f.Write, f.Sync
	if t.regular {
		if err := t.checkLastLine(ctx); err != nil {
			f.Close()
			return err
		}
	}
	return nil
}

// maxTailScan bounds how far back checkLastLine looks for the start of an
// unterminated last line, which it measures only to report it.
const maxTailScan = 1 << 20

// checkLastLine looks at how the file ends. Kafka Connect only appends to
// the file, and so does the task: a last line without its newline is kept,
// and a newline is written before the first record so that every record
// starts a line of its own. That line may be a user's last line, or one
// torn by a crash of the machine (a write of this task's that fails is cut
// off at once), so the task warns, naming the file and the line's length.
func (t *sinkTask) checkLastLine(ctx context.Context) error {
	unlock, err := t.lockFile(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	fi, err := t.file.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", t.filename, err)
	}
	if fi.Size() == 0 {
		return nil
	}
	r, err := os.Open(t.filename)
	if errors.Is(err, fs.ErrPermission) {
		return nil // a file the worker may only write: appended to as it is
	}
	if err != nil {
		return fmt.Errorf("open %s to check its last line: %w", t.filename, err)
	}
	defer r.Close()
	tail, exact, err := unterminatedTail(r, fi.Size(), maxTailScan)
	if err != nil {
		return fmt.Errorf("read %s: %w", t.filename, err)
	}
	if tail == 0 {
		return nil
	}
	t.newline = true
	var length any = tail
	if !exact {
		length = fmt.Sprintf("at least %d", tail)
	}
	t.log.Warn("the file does not end with a newline: its last line is kept, and a newline is written before the first record so that "+
		"every record starts a line of its own; the unterminated line may be the user's last line or one torn by a crash",
		"file", t.filename, "unterminated_bytes", length)
	return nil
}

// unterminatedTail returns how many bytes follow the last newline in the
// first size bytes of r (all of them when there is none), looking back at
// most limit bytes: exact is false when it stopped there, tail then being
// limit.
func unterminatedTail(r io.ReaderAt, size, limit int64) (tail int64, exact bool, err error) {
	buf := make([]byte, min(64<<10, limit))
	stop := max(0, size-limit)
	for end := size; end > stop; {
		n := min(int64(len(buf)), end-stop)
		start := end - n
		if _, err := r.ReadAt(buf[:n], start); err != nil {
			return 0, false, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return size - (start + int64(i) + 1), true, nil
		}
		end = start
	}
	return size - stop, stop == 0, nil
}

func (t *sinkTask) Open(context.Context, []connectors.TopicPartition) error { return nil }

func (t *sinkTask) Put(ctx context.Context, records []connectors.SinkRecord) error {
	if t.failed != nil {
		return t.failed
	}
	if t.torn {
		if err := t.writePending(); err != nil {
			return err
		}
		t.torn = false
		if idOf(records) == t.tornBatch {
			return nil // the batch whose write failed, now written
		}
	}
	if len(records) == 0 {
		return nil
	}
	t.buf = t.buf[:0]
	if t.newline {
		t.buf = append(t.buf, '\n') // the file's last line had none
	}
	for i := range records {
		t.buf = append(t.buf, valueString(records[i].Value)...)
		t.buf = append(t.buf, '\n')
	}
	if t.regular {
		if err := t.appendWhole(ctx); err != nil {
			return err
		}
		t.newline = false
		return nil
	}
	t.pending, t.tornBatch = t.buf, idOf(records)
	if err := t.writePending(); err != nil {
		t.torn = true
		return err
	}
	return nil
}

// valueString renders a value as Kafka Connect's println(record.value())
// would: strings verbatim, null as "null", a schemaless map as Java's
// Map.toString ("{a=1, b=x}", keys sorted where Java lists a HashMap in
// hash order), a list as "[a, b]", numbers as Java prints them, a struct
// as Struct.toString. Bytes are written as they are (Java would print the
// array's identity, which no one wants in a file).
func valueString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "null"
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	if s, err := schemas.FormatValue(nil, v); err == nil {
		return s
	}
	if x, ok := v.(fmt.Stringer); ok {
		return x.String()
	}
	return fmt.Sprint(v)
}

// appendWhole appends buf to the file, or nothing: a write that fails half
// way is cut off again. A full disk is retriable; the runtime then puts the
// same batch again.
func (t *sinkTask) appendWhole(ctx context.Context) error {
	unlock, err := t.lockFile(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return connectors.Retriable(err) // stopping: the batch is not committed
		}
		return err
	}
	defer unlock()
	fi, err := t.file.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", t.filename, err)
	}
	n, err := t.write(t.buf)
	if err == nil {
		return nil
	}
	werr := fmt.Errorf("write %s: %w", t.filename, err)
	if n > 0 {
		if terr := t.file.Truncate(fi.Size()); terr != nil {
			t.failed = fmt.Errorf("%w; cutting the partly written batch off again failed: %w", werr, terr)
			return t.failed
		}
	}
	if diskFull(err) {
		return connectors.Retriable(werr)
	}
	return werr
}

// writePending writes the rest of a write to stdout, a pipe or a device.
func (t *sinkTask) writePending() error {
	n, err := t.write(t.pending)
	t.pending = t.pending[n:]
	if err == nil {
		t.pending = nil
		return nil
	}
	werr := fmt.Errorf("write %s: %w", t.name(), err)
	if diskFull(err) {
		return connectors.Retriable(werr)
	}
	return werr
}

func (t *sinkTask) name() string {
	if t.filename == "" {
		return "stdout"
	}
	return t.filename
}

// Flush fsyncs the file; every batch was written by its Put already.
func (t *sinkTask) Flush(context.Context, map[connectors.TopicPartition]int64) error {
	if t.failed != nil {
		return t.failed
	}
	if !t.regular {
		if len(t.pending) > 0 {
			return t.writePending()
		}
		return nil
	}
	if err := t.sync(); err != nil {
		t.failed = fmt.Errorf("fsync %s: %w", t.filename, err)
		return t.failed
	}
	return nil
}

func (t *sinkTask) Close(context.Context, []connectors.TopicPartition) error { return nil }

func (t *sinkTask) Stop(ctx context.Context) error {
	err := t.Flush(ctx, nil)
	if t.file != nil {
		if cerr := t.file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
