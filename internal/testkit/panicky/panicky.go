// Package panicky holds test-only plugins that panic where a test's
// configuration says, for the tests that a faulty plugin fails its
// connector, task or record and never the worker. Register them with
// Register. Each panics with "boom in <method>".
package panicky

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/schemas/simple"
	"github.com/sluicehq/sluice/transforms"
)

// The plugins' classes.
const (
	SourceClass    = "test.sluice.PanickySourceConnector"
	SinkClass      = "test.sluice.PanickySinkConnector"
	ConverterClass = "test.sluice.PanickyConverter"
	TransformClass = "test.sluice.PanickyTransform"
	PredicateClass = "test.sluice.PanickyPredicate"

	// PanicOn is the connectors' key: the methods that panic, of
	// connector.Start, connector.TaskConfigs, connector.Validate,
	// connector.Stop, task.Start, task.Poll (source), task.Open,
	// task.Put, task.Flush (sink) and task.Stop.
	PanicOn = "panic.on"
	// PanicOnValue is the converter's, transformation's and predicate's
	// key: the record value (as text) they panic on. The converter
	// panics in FromConnectData and ToConnectData, the transformation in
	// Apply, the predicate in Test (which is true for every other record).
	PanicOnValue = "panic.on.value"
	// Values is the source's key: the values its task produces, once
	// each, to the topics in Topic (a list), in turn.
	Values = "values"
	Topic  = "topic"
	// Keyed makes the source give each record its value as key too (a
	// compacted topic takes only records with a key).
	Keyed = "keyed"
)

// Sunk holds what the panicky sink tasks put, by connector name.
type Sunk struct {
	mu     sync.Mutex
	values map[string][]string
}

// Values returns what the tasks of a panicky sink connector put so far.
func (s *Sunk) Values(connector string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.values[connector])
}

func (s *Sunk) add(connector string, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string][]string{}
	}
	s.values[connector] = append(s.values[connector], v)
}

// Register adds the panicky plugins to reg; their sink tasks put into
// sunk.
func Register(reg *plugins.Registry, sunk *Sunk) {
	reg.Register(plugins.Plugin{Class: SourceClass, Kind: plugins.Source, New: func() any { return &panickySource{panickyConnector{source: true}} }})
	reg.Register(plugins.Plugin{Class: SinkClass, Kind: plugins.Sink, New: func() any { return &panickySink{sunk: sunk} }})
	reg.Register(plugins.Plugin{Class: ConverterClass, Kind: plugins.Converter, New: func() any { return &panickyConverter{} }})
	reg.Register(plugins.Plugin{Class: TransformClass, Kind: plugins.Transformation, New: func() any { return &panickyTransform{} }})
	reg.Register(plugins.Plugin{Class: PredicateClass, Kind: plugins.Predicate, New: func() any { return &panickyPredicate{} }})
}

// panics says which methods panic.
type panics []string

func (p panics) maybe(method string) {
	if slices.Contains(p, method) {
		panic("boom in " + method)
	}
}

func connectorDef(source bool) *config.Def {
	d := config.NewDef().Define(config.Key{Name: PanicOn, Type: config.List, Default: "", Importance: config.High,
		Doc: "The methods that panic."})
	if source {
		d.Define(config.Key{Name: Topic, Type: config.List, Default: config.NoDefault, Validator: config.NonEmptyList(), Importance: config.High,
			Doc: "The topics written to, in turn: value i goes to topic i modulo their number."}).
			Define(config.Key{Name: Values, Type: config.List, Default: "", Importance: config.High, Doc: "The values produced."}).
			Define(config.Key{Name: Keyed, Type: config.Boolean, Default: false, Importance: config.Low, Doc: "Whether each record has its value as key."})
	}
	return d
}

// panickyConnector is what the source and the sink connectors share.
type panickyConnector struct {
	source bool
	props  map[string]string
	panics panics
}

func (c *panickyConnector) Config() *config.Def { return connectorDef(c.source) }

func (c *panickyConnector) Validate(props map[string]string) []config.Result {
	if v, err := connectorDef(c.source).Parse(props); err == nil {
		panics(v.List(PanicOn)).maybe("connector.Validate")
	}
	return connectorDef(c.source).Validate(props)
}

func (c *panickyConnector) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	v, err := connectorDef(c.source).Parse(props)
	if err != nil {
		return err
	}
	c.props, c.panics = maps.Clone(props), v.List(PanicOn)
	c.panics.maybe("connector.Start")
	return nil
}

func (c *panickyConnector) TaskConfigs(int) ([]map[string]string, error) {
	c.panics.maybe("connector.TaskConfigs")
	return []map[string]string{maps.Clone(c.props)}, nil
}

func (c *panickyConnector) Stop(context.Context) error {
	c.panics.maybe("connector.Stop")
	return nil
}

type panickySource struct{ panickyConnector }

func (s *panickySource) NewTask() connectors.SourceTask { return &panickySourceTask{} }

// panickySourceTask produces its values once each, resuming after the
// last one committed.
type panickySourceTask struct {
	panics panics
	topics []string
	values []string
	keyed  bool
	next   int
}

var panickyPartition = map[string]any{"panicky": "source"}

func (t *panickySourceTask) Start(ctx context.Context, tc connectors.SourceTaskContext, props map[string]string) error {
	v, err := connectorDef(true).Parse(props)
	if err != nil {
		return err
	}
	t.panics, t.topics, t.values, t.keyed = v.List(PanicOn), v.List(Topic), v.List(Values), v.Bool(Keyed)
	t.panics.maybe("task.Start")
	off, err := tc.Offsets().Offset(ctx, panickyPartition)
	if err != nil {
		return err
	}
	if n, ok := off["next"]; ok {
		next, err := strconv.Atoi(fmt.Sprint(n))
		if err != nil {
			return fmt.Errorf("offset %v: %w", off, err)
		}
		t.next = next
	}
	return nil
}

func (t *panickySourceTask) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	t.panics.maybe("task.Poll")
	if t.next >= len(t.values) {
		select { // nothing more to produce
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
		return nil, nil
	}
	var out []connectors.SourceRecord
	for ; t.next < len(t.values); t.next++ {
		rec := connectors.SourceRecord{
			Record:          connectors.Record{Topic: t.topics[t.next%len(t.topics)], ValueSchema: schemas.StringSchema, Value: t.values[t.next]},
			SourcePartition: panickyPartition, SourceOffset: map[string]any{"next": t.next + 1}}
		if t.keyed {
			rec.KeySchema, rec.Key = schemas.StringSchema, t.values[t.next]
		}
		out = append(out, rec)
	}
	return out, nil
}

func (t *panickySourceTask) Stop(context.Context) error {
	t.panics.maybe("task.Stop")
	return nil
}

type panickySink struct {
	panickyConnector
	sunk *Sunk
}

func (s *panickySink) NewTask() connectors.SinkTask { return &panickySinkTask{sunk: s.sunk} }

// panickySinkTask puts record values, as text, into its Sunk under its
// connector's name.
type panickySinkTask struct {
	sunk      *Sunk
	connector string
	panics    panics
}

func (t *panickySinkTask) Start(_ context.Context, _ connectors.SinkTaskContext, props map[string]string) error {
	v, err := connectorDef(false).Parse(props)
	if err != nil {
		return err
	}
	t.connector, t.panics = props["name"], v.List(PanicOn)
	t.panics.maybe("task.Start")
	return nil
}

func (t *panickySinkTask) Open(context.Context, []connectors.TopicPartition) error {
	t.panics.maybe("task.Open")
	return nil
}

func (t *panickySinkTask) Put(_ context.Context, recs []connectors.SinkRecord) error {
	if len(recs) > 0 {
		t.panics.maybe("task.Put")
	}
	for _, r := range recs {
		t.sunk.add(t.connector, fmt.Sprint(r.Value))
	}
	return nil
}

func (t *panickySinkTask) Flush(context.Context, map[connectors.TopicPartition]int64) error {
	t.panics.maybe("task.Flush")
	return nil
}

func (t *panickySinkTask) Close(context.Context, []connectors.TopicPartition) error { return nil }

func (t *panickySinkTask) Stop(context.Context) error {
	t.panics.maybe("task.Stop")
	return nil
}

// panickyConverter is a StringConverter that panics on one value.
type panickyConverter struct {
	simple.StringConverter
	on string
}

func (c *panickyConverter) Configure(props map[string]string, isKey bool) error {
	props = maps.Clone(props)
	c.on = props[PanicOnValue]
	delete(props, PanicOnValue)
	return c.StringConverter.Configure(props, isKey)
}

func (c *panickyConverter) FromConnectData(topic string, schema *schemas.Schema, value any) ([]byte, error) {
	if c.on != "" && fmt.Sprint(value) == c.on {
		panic("boom in FromConnectData")
	}
	return c.StringConverter.FromConnectData(topic, schema, value)
}

func (c *panickyConverter) ToConnectData(topic string, data []byte) (*schemas.Schema, any, error) {
	if c.on != "" && string(data) == c.on {
		panic("boom in ToConnectData")
	}
	return c.StringConverter.ToConnectData(topic, data)
}

func valueDef() *config.Def {
	return config.NewDef().Define(config.Key{Name: PanicOnValue, Type: config.String, Default: "", Importance: config.High,
		Doc: "The record value that makes it panic."})
}

// panickyTransform passes records on, and panics on one value.
type panickyTransform struct{ on string }

func (t *panickyTransform) Config() *config.Def { return valueDef() }
func (t *panickyTransform) Configure(props map[string]string) error {
	v, err := valueDef().Parse(props)
	if err != nil {
		return err
	}
	t.on = v.String(PanicOnValue)
	return nil
}
func (t *panickyTransform) Apply(r *transforms.Record) (bool, error) {
	if t.on != "" && fmt.Sprint(r.Value) == t.on {
		panic("boom in Apply")
	}
	return true, nil
}
func (t *panickyTransform) Close() error { return nil }

// panickyPredicate matches every record, and panics on one value.
type panickyPredicate struct{ on string }

func (p *panickyPredicate) Config() *config.Def { return valueDef() }
func (p *panickyPredicate) Configure(props map[string]string) error {
	v, err := valueDef().Parse(props)
	if err != nil {
		return err
	}
	p.on = v.String(PanicOnValue)
	return nil
}
func (p *panickyPredicate) Test(r *transforms.Record) bool {
	if p.on != "" && fmt.Sprint(r.Value) == p.on {
		panic("boom in Test")
	}
	return true
}
func (p *panickyPredicate) Close() error { return nil }
