// Package jsonlines is an example sink connector: it appends each record
// to a file as one line of JSON,
//
//	{"topic":"t","partition":0,"offset":42,"key":…,"value":…}
//
// with the key and value as schemaless JSON (what the JsonConverter writes
// with schemas.enable=false). Put writes, Flush fsyncs: once Flush returns,
// the lines are on disk, so the offsets the worker commits never run ahead
// of the file. Delivery is at least once: after a failure, lines already
// written may be written again.
package jsonlines

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	sjson "github.com/sluicehq/sluice/schemas/json"
)

// Plugin registers the connector with a worker (sluicecmd.WithPlugins) or
// serves it from a plugin.path executable (external.Serve).
var Plugin = plugins.Plugin{
	Class: "com.example.jsonlines.JsonLinesSinkConnector", Kind: plugins.Sink, Version: "0.1.0",
	Aliases: []string{"JsonLines"},
	New:     func() any { return &Connector{} },
}

func def() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "file", Type: config.String, Default: config.NoDefault, Validator: config.NonEmptyString(), Importance: config.High,
			Doc: "The file the records are appended to, one JSON object per line; created if missing."})
}

// Line is one line of the file.
type Line struct {
	Topic     string          `json:"topic"`
	Partition int32           `json:"partition"`
	Offset    int64           `json:"offset"`
	Key       json.RawMessage `json:"key"`
	Value     json.RawMessage `json:"value"`
}

// Connector is the JSON lines sink connector.
type Connector struct{ file string }

// Config implements connectors.Connector.
func (*Connector) Config() *config.Def { return def() }

// Start implements connectors.Connector.
func (c *Connector) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	v, err := def().Parse(props)
	if err != nil {
		return err
	}
	c.file = v.String("file")
	return nil
}

// TaskConfigs implements connectors.Connector: one task, since a file has
// one writer, whatever maxTasks says.
func (c *Connector) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{{"file": c.file}}, nil
}

// Stop implements connectors.Connector.
func (*Connector) Stop(context.Context) error { return nil }

// NewTask implements connectors.SinkConnector.
func (*Connector) NewTask() connectors.SinkTask { return &task{} }

type task struct {
	f    *os.File
	w    *bufio.Writer
	conv *sjson.Converter
}

func (t *task) Start(_ context.Context, _ connectors.SinkTaskContext, props map[string]string) error {
	v, err := def().Parse(props)
	if err != nil {
		return err
	}
	t.conv = sjson.New()
	if err := t.conv.Configure(map[string]string{"schemas.enable": "false"}, false); err != nil {
		return fmt.Errorf("configure the JSON converter: %w", err)
	}
	if t.f, err = os.OpenFile(v.String("file"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
		return fmt.Errorf("open the file: %w", err)
	}
	t.w = bufio.NewWriter(t.f)
	return nil
}

func (t *task) Open(context.Context, []connectors.TopicPartition) error { return nil }

func (t *task) Put(_ context.Context, recs []connectors.SinkRecord) error {
	for _, r := range recs {
		key, err := t.conv.FromConnectData(r.Topic, r.KeySchema, r.Key)
		if err != nil {
			return fmt.Errorf("key of %s/%d@%d: %w", r.Topic, *r.Partition, r.Offset, err)
		}
		value, err := t.conv.FromConnectData(r.Topic, r.ValueSchema, r.Value)
		if err != nil {
			return fmt.Errorf("value of %s/%d@%d: %w", r.Topic, *r.Partition, r.Offset, err)
		}
		line, err := json.Marshal(Line{Topic: r.Topic, Partition: *r.Partition, Offset: r.Offset, Key: orNull(key), Value: orNull(value)})
		if err != nil {
			return err
		}
		if _, err := t.w.Write(append(line, '\n')); err != nil {
			return fmt.Errorf("write %s: %w", t.f.Name(), err)
		}
	}
	return nil
}

// orNull is the JSON of a converted value: a tombstone's nil is null.
func orNull(b []byte) json.RawMessage {
	if b == nil {
		return json.RawMessage("null")
	}
	return b
}

// Flush makes every line written so far durable.
func (t *task) Flush(context.Context, map[connectors.TopicPartition]int64) error {
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", t.f.Name(), err)
	}
	if err := t.f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", t.f.Name(), err)
	}
	return nil
}

func (t *task) Close(context.Context, []connectors.TopicPartition) error { return nil }

func (t *task) Stop(ctx context.Context) error {
	if t.f == nil {
		return nil
	}
	err := t.Flush(ctx, nil)
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	return err
}
