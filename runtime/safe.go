package runtime

import (
	"context"
	"log/slog"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/logging"
	"github.com/sluicehq/sluice/internal/safe"
	"github.com/sluicehq/sluice/schemas"
)

// A panic in a plugin fails what the plugin was doing, never the worker:
// the wrappers below recover panics in every method the runtime calls on a
// connector, a task or a converter and return them as a *safe.PanicError,
// which fails the connector or task with the panic in its trace as any
// other error would (or, in a converter, fails the record, so that
// errors.tolerance applies). Transformations and predicates are guarded
// in chain.apply. Each wrapper names the plugin's class and method.

// guardedConnector is a running connector.
type guardedConnector struct {
	connectors.Connector
	class string
}

func (c guardedConnector) Start(ctx context.Context, cc connectors.ConnectorContext, props map[string]string) error {
	return safe.DoMethod(c.class, "Start", func() error { return c.Connector.Start(ctx, cc, props) })
}

func (c guardedConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	return safe.CallMethod(c.class, "TaskConfigs", func() ([]map[string]string, error) { return c.Connector.TaskConfigs(maxTasks) })
}

func (c guardedConnector) Stop(ctx context.Context) error {
	return safe.DoMethod(c.class, "Stop", func() error { return c.Connector.Stop(ctx) })
}

// newSourceTask makes a connector's source task, guarded, and gives it log
// (named after class) when it logs. The optional interfaces the runtime
// looks for are kept: RecordCommitter only when the task has it (it makes
// the runtime keep every record until it is acked); Commit is always there,
// doing nothing for a task without it.
func newSourceTask(c connectors.SourceConnector, class string, log *slog.Logger) (connectors.SourceTask, error) {
	t, err := safe.Call(class+" (creating the task)", func() (connectors.SourceTask, error) { return c.NewTask(), nil })
	if err != nil {
		return nil, err
	}
	if err := setLogger(t, class, log); err != nil {
		return nil, err
	}
	g := guardedSourceTask{t: t, class: class}
	if f, ok := t.(failer); ok {
		if err := safe.DoMethod(class, "Failed", func() error { g.failed = f.Failed(); return nil }); err != nil {
			return nil, err
		}
	}
	if rc, ok := t.(connectors.RecordCommitter); ok {
		return guardedRecordCommitter{guardedSourceTask: g, rc: rc}, nil
	}
	return g, nil
}

// setLogger gives a task that logs (connectors.Logging) log, as the logger
// named class.
func setLogger(task any, class string, log *slog.Logger) error {
	lt, ok := task.(connectors.Logging)
	if !ok || log == nil {
		return nil
	}
	named := logging.Named(log, class)
	return safe.DoMethod(class, "SetLogger", func() error { lt.SetLogger(named); return nil })
}

type guardedSourceTask struct {
	t     connectors.SourceTask
	class string
	// failed is the task's Failed channel (failer), nil when it has none.
	failed <-chan error
}

// failures returns the channel of the task's failures between calls, nil
// (never ready) for a task that has none.
func (g guardedSourceTask) failures() <-chan error { return g.failed }

func (g guardedSourceTask) Start(ctx context.Context, tc connectors.SourceTaskContext, props map[string]string) error {
	return safe.DoMethod(g.class, "Start", func() error { return g.t.Start(ctx, tc, props) })
}

func (g guardedSourceTask) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	return safe.CallMethod(g.class, "Poll", func() ([]connectors.SourceRecord, error) { return g.t.Poll(ctx) })
}

func (g guardedSourceTask) Stop(ctx context.Context) error {
	return safe.DoMethod(g.class, "Stop", func() error { return g.t.Stop(ctx) })
}

func (g guardedSourceTask) Commit(ctx context.Context) error {
	c, ok := g.t.(connectors.Committer)
	if !ok {
		return nil
	}
	return safe.DoMethod(g.class, "Commit", func() error { return c.Commit(ctx) })
}

type guardedRecordCommitter struct {
	guardedSourceTask
	rc connectors.RecordCommitter
}

func (g guardedRecordCommitter) CommitRecord(rec *connectors.SourceRecord, md *connectors.RecordMetadata) error {
	return safe.DoMethod(g.class, "CommitRecord", func() error { return g.rc.CommitRecord(rec, md) })
}

// newSinkTask makes a connector's sink task, guarded, and gives it log
// (named after class) when it logs; it is a PreCommitter only when the
// task is one (else the runtime calls Flush).
func newSinkTask(c connectors.SinkConnector, class string, log *slog.Logger) (connectors.SinkTask, error) {
	t, err := safe.Call(class+" (creating the task)", func() (connectors.SinkTask, error) { return c.NewTask(), nil })
	if err != nil {
		return nil, err
	}
	if err := setLogger(t, class, log); err != nil {
		return nil, err
	}
	g := guardedSinkTask{t: t, class: class}
	if f, ok := t.(failer); ok {
		if err := safe.DoMethod(class, "Failed", func() error { g.failed = f.Failed(); return nil }); err != nil {
			return nil, err
		}
	}
	if pc, ok := t.(connectors.PreCommitter); ok {
		return guardedPreCommitter{guardedSinkTask: g, pc: pc}, nil
	}
	return g, nil
}

type guardedSinkTask struct {
	t     connectors.SinkTask
	class string
	// failed is the task's Failed channel (failer), nil when it has none.
	failed <-chan error
}

// failer is implemented by a task that can fail on its own, between calls:
// a plugin.path task whose process dies while its partitions are idle or
// while it is paused (plugins/external). Failed returns a channel that
// yields the error once; the sink task's loop, and a paused source task's
// wait, fail the task with it (a running source task's next Poll fails
// anyway).
type failer interface {
	Failed() <-chan error
}

// failures returns the channel of the task's failures between calls, nil
// (never ready) for a task that has none.
func (g guardedSinkTask) failures() <-chan error { return g.failed }

func (g guardedSinkTask) Start(ctx context.Context, tc connectors.SinkTaskContext, props map[string]string) error {
	return safe.DoMethod(g.class, "Start", func() error { return g.t.Start(ctx, tc, props) })
}

func (g guardedSinkTask) Open(ctx context.Context, partitions []connectors.TopicPartition) error {
	return safe.DoMethod(g.class, "Open", func() error { return g.t.Open(ctx, partitions) })
}

func (g guardedSinkTask) Put(ctx context.Context, records []connectors.SinkRecord) error {
	return safe.DoMethod(g.class, "Put", func() error { return g.t.Put(ctx, records) })
}

func (g guardedSinkTask) Flush(ctx context.Context, offsets map[connectors.TopicPartition]int64) error {
	return safe.DoMethod(g.class, "Flush", func() error { return g.t.Flush(ctx, offsets) })
}

func (g guardedSinkTask) Close(ctx context.Context, partitions []connectors.TopicPartition) error {
	return safe.DoMethod(g.class, "Close", func() error { return g.t.Close(ctx, partitions) })
}

func (g guardedSinkTask) Stop(ctx context.Context) error {
	return safe.DoMethod(g.class, "Stop", func() error { return g.t.Stop(ctx) })
}

type guardedPreCommitter struct {
	guardedSinkTask
	pc connectors.PreCommitter
}

func (g guardedPreCommitter) PreCommit(ctx context.Context, offsets map[connectors.TopicPartition]int64) (map[connectors.TopicPartition]int64, error) {
	return safe.CallMethod(g.class, "PreCommit", func() (map[connectors.TopicPartition]int64, error) { return g.pc.PreCommit(ctx, offsets) })
}

// guarded returns the converters with their conversions guarded: a panic
// is that record's failure, in the converter's stage.
func (c converters) guarded() converters {
	c.key = guardedConverter{Converter: c.key, class: c.keyClass}
	c.value = guardedConverter{Converter: c.value, class: c.valueClass}
	c.header = guardedHeaderConverter{HeaderConverter: c.header, class: c.headerClass}
	return c
}

type guardedConverter struct {
	schemas.Converter
	class string
}

func (g guardedConverter) FromConnectData(topic string, schema *schemas.Schema, value any) ([]byte, error) {
	return safe.CallMethod(g.class, "FromConnectData", func() ([]byte, error) { return g.Converter.FromConnectData(topic, schema, value) })
}

func (g guardedConverter) ToConnectData(topic string, data []byte) (s *schemas.Schema, v any, err error) {
	err = safe.DoMethod(g.class, "ToConnectData", func() (err error) {
		s, v, err = g.Converter.ToConnectData(topic, data)
		return err
	})
	return s, v, err
}

type guardedHeaderConverter struct {
	schemas.HeaderConverter
	class string
}

func (g guardedHeaderConverter) FromConnectHeader(topic, key string, schema *schemas.Schema, value any) ([]byte, error) {
	return safe.CallMethod(g.class, "FromConnectHeader", func() ([]byte, error) {
		return g.HeaderConverter.FromConnectHeader(topic, key, schema, value)
	})
}

func (g guardedHeaderConverter) ToConnectHeader(topic, key string, data []byte) (s *schemas.Schema, v any, err error) {
	err = safe.DoMethod(g.class, "ToConnectHeader", func() (err error) {
		s, v, err = g.HeaderConverter.ToConnectHeader(topic, key, data)
		return err
	})
	return s, v, err
}
