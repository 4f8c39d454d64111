package file

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
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
// whatever tasks.max says. Kafka Connect's returns tasks.max copies of the
// configuration, every task appending to the same file; a file has one
// writer here, so that each batch is written and fsynced whole and
// committed offsets never run ahead of the file, and so that an absurd
// tasks.max costs nothing.
func (s *Sink) TaskConfigs(int) ([]map[string]string, error) {
	cfg := map[string]string{}
	if v, ok := s.props[FileKey]; ok {
		cfg[FileKey] = v
	}
	return []map[string]string{cfg}, nil
}

// Stop implements connectors.Connector.
func (*Sink) Stop(context.Context) error { return nil }

// NewTask implements connectors.SinkConnector.
func (*Sink) NewTask() connectors.SinkTask { return &sinkTask{} }

// sinkTask appends each record's value and a newline to the file. Each Put
// ends with one write of whole lines, so lines reach the file as they
// arrive (not at the next offset flush) and a crash never leaves a torn
// line. Flush fsyncs, so committed offsets never run ahead of the file's
// durable content.
type sinkTask struct {
	filename string
	f        *os.File
	out      io.Writer
	buf      []byte
}

func (t *sinkTask) Start(_ context.Context, _ connectors.SinkTaskContext, props map[string]string) error {
	v, err := sinkDef().Parse(props)
	if err != nil {
		return err
	}
	t.filename = v.String(FileKey)
	var out io.Writer = os.Stdout
	if t.filename != "" {
		f, err := os.OpenFile(t.filename, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("open %s for appending: %w", t.filename, err)
		}
		t.f, out = f, f
	}
	t.out = out
	t.buf = make([]byte, 0, 64<<10)
	return nil
}

func (t *sinkTask) Open(context.Context, []connectors.TopicPartition) error { return nil }

func (t *sinkTask) Put(_ context.Context, records []connectors.SinkRecord) error {
	for i := range records {
		t.buf = append(t.buf, valueString(records[i].Value)...)
		t.buf = append(t.buf, '\n')
	}
	return t.write()
}

// valueString renders a value as Kafka Connect's println(record.value())
// would for the common types: strings verbatim, null as "null".
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
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

func (t *sinkTask) write() error {
	if len(t.buf) == 0 {
		return nil
	}
	if _, err := t.out.Write(t.buf); err != nil {
		return fmt.Errorf("write %s: %w", t.filename, err)
	}
	t.buf = t.buf[:0]
	return nil
}

func (t *sinkTask) Flush(context.Context, map[connectors.TopicPartition]int64) error {
	if err := t.write(); err != nil {
		return err
	}
	if t.f != nil {
		if err := t.f.Sync(); err != nil {
			return fmt.Errorf("fsync %s: %w", t.filename, err)
		}
	}
	return nil
}

func (t *sinkTask) Close(context.Context, []connectors.TopicPartition) error { return nil }

func (t *sinkTask) Stop(ctx context.Context) error {
	err := t.Flush(ctx, nil)
	if t.f != nil {
		if cerr := t.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
