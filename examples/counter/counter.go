// Package counter is an example source connector: it counts. Each of its
// partitions counts up from start, one number every interval.ms, and
// writes each number as an int64 record to topic. The partitions are
// shared out between the tasks; each partition's offset is {"n": next}, so
// a restarted task goes on where it stopped.
package counter

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/schemas"
)

// Plugin registers the connector with a worker (sluicecmd.WithPlugins) or
// serves it from a plugin.path executable (external.Serve).
var Plugin = plugins.Plugin{
	Class: "com.example.counter.CounterSourceConnector", Kind: plugins.Source, Version: "0.1.0",
	Aliases: []string{"Counter"},
	New:     func() any { return &Connector{} },
}

func def() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "topic", Type: config.String, Default: config.NoDefault, Validator: config.TopicName(false), Importance: config.High,
			Doc: "The topic the numbers are written to."}).
		Define(config.Key{Name: "interval.ms", Type: config.Long, Default: int64(1000), Validator: config.AtLeast(int64(0)), Importance: config.Medium,
			Doc: "How long each partition waits between two numbers, in milliseconds; 0 counts as fast as possible."}).
		Define(config.Key{Name: "start", Type: config.Long, Default: int64(0), Importance: config.Low,
			Doc: "The first number of each partition."}).
		Define(config.Key{Name: "limit", Type: config.Long, Default: int64(0), Validator: config.AtLeast(int64(0)), Importance: config.Low,
			Doc: "How many numbers each partition writes; 0 for no limit."}).
		Define(config.Key{Name: "partitions", Type: config.Int, Default: int32(1), Validator: config.Range(int32(1), int32(10000)), Importance: config.Medium,
			Doc: "How many counters run side by side, shared out between the tasks."})
}

// Connector is the counter source connector.
type Connector struct{ props map[string]string }

// Config implements connectors.Connector.
func (*Connector) Config() *config.Def { return def() }

// Start implements connectors.Connector.
func (c *Connector) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	if _, err := def().Parse(props); err != nil {
		return err
	}
	c.props = props
	return nil
}

// TaskConfigs implements connectors.Connector: partition p goes to task
// p % tasks, in the task key "task.partitions".
func (c *Connector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	v, err := def().Parse(c.props)
	if err != nil {
		return nil, err
	}
	n := int(v.Int("partitions"))
	parts := make([][]string, min(maxTasks, n))
	for p := range n {
		parts[p%len(parts)] = append(parts[p%len(parts)], strconv.Itoa(p))
	}
	out := make([]map[string]string, len(parts))
	for i, ps := range parts {
		out[i] = map[string]string{"task.partitions": strings.Join(ps, ",")}
		for k, v := range c.props {
			out[i][k] = v
		}
	}
	return out, nil
}

// Stop implements connectors.Connector.
func (*Connector) Stop(context.Context) error { return nil }

// NewTask implements connectors.SourceConnector.
func (*Connector) NewTask() connectors.SourceTask { return &task{} }

type task struct {
	topic    string
	interval time.Duration
	stop     int64 // the number after the last; 0 without a limit
	parts    []map[string]any
	next     []int64
	due      time.Time
}

func (t *task) Start(ctx context.Context, tc connectors.SourceTaskContext, props map[string]string) error {
	v, err := def().Parse(props)
	if err != nil {
		return err
	}
	t.topic, t.interval = v.String("topic"), time.Duration(v.Long("interval.ms"))*time.Millisecond
	for _, s := range strings.Split(props["task.partitions"], ",") {
		p, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("task.partitions: %q is not a partition number", s)
		}
		part := map[string]any{"partition": p}
		next := v.Long("start")
		off, err := tc.Offsets().Offset(ctx, part)
		if err != nil {
			return fmt.Errorf("read the offset of partition %d: %w", p, err)
		}
		if off != nil {
			// Integers come back as int64, whatever type was stored.
			n, ok := off["n"].(int64)
			if !ok {
				return fmt.Errorf("partition %d: stored offset %v is not {\"n\": <int64>}", p, off)
			}
			next = n
		}
		t.parts, t.next = append(t.parts, part), append(t.next, next)
	}
	if limit := v.Long("limit"); limit > 0 {
		t.stop = v.Long("start") + limit
	}
	tc.Logger().Info("counting", "partitions", props["task.partitions"], "next", t.next)
	return nil
}

// Poll writes the next number of each partition, once the interval is up.
func (t *task) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	timer := time.NewTimer(time.Until(t.due))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return nil, nil
	case <-timer.C:
	}
	t.due = time.Now().Add(t.interval)
	var recs []connectors.SourceRecord
	for i, part := range t.parts {
		if t.stop != 0 && t.next[i] >= t.stop {
			continue
		}
		recs = append(recs, connectors.SourceRecord{
			Record: connectors.Record{Topic: t.topic, KeySchema: schemas.Int64Schema, Key: part["partition"],
				ValueSchema: schemas.Int64Schema, Value: t.next[i], Timestamp: time.Now()},
			SourcePartition: part, // never changed: the runtime reads it after Poll
			SourceOffset:    map[string]any{"n": t.next[i] + 1},
		})
		t.next[i]++
	}
	if len(recs) == 0 {
		t.due = time.Now().Add(time.Second) // every partition reached its limit: idle
	}
	return recs, nil
}

func (t *task) Stop(context.Context) error { return nil }
