// Command counterworker is a custom sluice worker, as an outside author
// writes one: sluice with one extra connector, a source that counts.
// sluicecmd's tests build and run it.
package main

import (
	"context"
	"strconv"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/sluicecmd"
)

func main() {
	sluicecmd.Run(sluicecmd.WithVersion("counterworker 0.0.1"), sluicecmd.WithPlugins(plugins.Plugin{
		Class: "com.example.CounterSource", Kind: plugins.Source, Version: "0.0.1", Aliases: []string{"Counter"},
		New: func() any { return &source{} },
	}))
}

// source writes the numbers 0 to count-1 to topic, then nothing more.
type source struct{ props map[string]string }

func (s *source) Config() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "topic", Type: config.String, Default: config.NoDefault, Importance: config.High, Doc: "Topic to write to."}).
		Define(config.Key{Name: "count", Type: config.Int, Default: int32(10), Importance: config.Medium, Doc: "How many numbers to write."})
}

func (s *source) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	s.props = props
	return nil
}

func (s *source) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{s.props}, nil
}

func (s *source) Stop(context.Context) error { return nil }

func (s *source) NewTask() connectors.SourceTask { return &task{} }

type task struct {
	tc          connectors.SourceTaskContext
	topic       string
	next, count int64
}

var partition = map[string]any{"counter": "0"}

func (t *task) Start(ctx context.Context, tc connectors.SourceTaskContext, props map[string]string) error {
	t.tc, t.topic = tc, props["topic"]
	t.count = 10
	if c, ok := props["count"]; ok {
		count, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			return err
		}
		t.count = count
	}
	off, err := tc.Offsets().Offset(ctx, partition)
	if err != nil {
		return err
	}
	if n, ok := off["next"].(int64); ok {
		t.next = n
	}
	tc.Logger().Info("counter starting", "next", t.next)
	return nil
}

func (t *task) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	if t.next >= t.count {
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
		return nil, nil
	}
	n := t.next
	t.next++
	t.tc.Logger().Debug("counter polled", "n", n)
	return []connectors.SourceRecord{{
		Record:          connectors.Record{Topic: t.topic, ValueSchema: schemas.StringSchema, Value: strconv.FormatInt(n, 10)},
		SourcePartition: partition,
		SourceOffset:    map[string]any{"next": n + 1},
	}}, nil
}

func (t *task) Stop(context.Context) error { return nil }
