package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// probeClass is a sink that exercises every context method across the
// process boundary: its connector calls RequestTaskReconfiguration and
// RaiseError at Start; its task reports records whose value is "bad",
// returns a retriable error for "retry" and a data error for "data", and
// asks for its assignment, a commit, a seek and a timeout on each Put.
const probeClass = "com.example.test.ProbeSink"

type probe struct{ props map[string]string }

func (p *probe) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "raise", Type: config.Boolean, Default: false, Importance: config.Low, Doc: "Raise an error at Start"})
}

func (p *probe) Start(_ context.Context, cc connectors.ConnectorContext, props map[string]string) error {
	p.props = props
	cc.RequestTaskReconfiguration()
	if props["raise"] == "true" {
		cc.RaiseError(connectors.Retriable(errors.New("raised by the probe")))
	}
	return nil
}

func (p *probe) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{p.props}, nil
}
func (p *probe) Stop(context.Context) error   { return nil }
func (p *probe) NewTask() connectors.SinkTask { return &probeTask{} }

type probeTask struct{ tc connectors.SinkTaskContext }

func (t *probeTask) Start(_ context.Context, tc connectors.SinkTaskContext, _ map[string]string) error {
	t.tc = tc
	return nil
}

func (t *probeTask) Open(context.Context, []connectors.TopicPartition) error { return nil }

func (t *probeTask) Put(_ context.Context, recs []connectors.SinkRecord) error {
	if len(recs) == 0 {
		return nil
	}
	tps := t.tc.Assignment()
	t.tc.RequestCommit()
	t.tc.Offset(connectors.TopicPartition{Topic: "seek", Partition: 1}, 42)
	t.tc.Pause(tps...)
	t.tc.Resume(tps...)
	for i := range recs {
		switch recs[i].Value {
		case "bad":
			if err := t.tc.ErrantRecordReporter().Report(&recs[i], schemas.DataErrorf("bad record at %d", recs[i].Offset)); err != nil {
				return fmt.Errorf("report: %w", err)
			}
		case "retry":
			return connectors.Retriable(errors.New("try again"))
		case "data":
			return schemas.DataErrorf("cannot write %v", recs[i].Value)
		}
	}
	return nil
}

func (t *probeTask) Flush(context.Context, map[connectors.TopicPartition]int64) error { return nil }
func (t *probeTask) Close(context.Context, []connectors.TopicPartition) error         { return nil }
func (t *probeTask) Stop(context.Context) error                                       { return nil }

// PreCommit makes the task a PreCommitter: it commits one offset less.
func (t *probeTask) PreCommit(_ context.Context, offsets map[connectors.TopicPartition]int64) (map[connectors.TopicPartition]int64, error) {
	out := map[connectors.TopicPartition]int64{}
	for tp, o := range offsets {
		out[tp] = o - 1
	}
	return out, nil
}
