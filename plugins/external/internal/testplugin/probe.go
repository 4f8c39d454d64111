package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// probeClass is a sink that exercises every context method across the
// process boundary: its connector calls RequestTaskReconfiguration and
// RaiseError at Start; its task reports records whose value is "bad",
// returns a retriable error for "retry" (for "retryonce" the first time
// it sees the record's offset) and a data error for "data", and asks for
// its assignment, a commit, a seek and a timeout on each Put. With
// "puts.file", each Put appends a line with its records' values.
const probeClass = "com.example.test.ProbeSink"

type probe struct{ props map[string]string }

func (p *probe) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "raise", Type: config.Boolean, Default: false, Importance: config.Low, Doc: "Raise an error at Start"}).
		Define(config.Key{Name: "puts.file", Type: config.String, Default: "", Importance: config.Low, Doc: "Where each Put appends its records' values"})
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

type probeTask struct {
	tc       connectors.SinkTaskContext
	putsFile string
	retried  map[int64]bool
}

func (t *probeTask) Start(_ context.Context, tc connectors.SinkTaskContext, props map[string]string) error {
	t.tc, t.putsFile, t.retried = tc, props["puts.file"], map[int64]bool{}
	return nil
}

func (t *probeTask) Open(context.Context, []connectors.TopicPartition) error { return nil }

func (t *probeTask) Put(_ context.Context, recs []connectors.SinkRecord) error {
	if len(recs) == 0 {
		return nil
	}
	if t.putsFile != "" {
		var vals []string
		for i := range recs {
			vals = append(vals, fmt.Sprint(recs[i].Value))
		}
		f, err := os.OpenFile(t.putsFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		fmt.Fprintln(f, strings.Join(vals, " "))
		if err := f.Close(); err != nil {
			return err
		}
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
		case "retryonce":
			if !t.retried[recs[i].Offset] {
				t.retried[recs[i].Offset] = true
				return connectors.Retriable(errors.New("try again"))
			}
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
