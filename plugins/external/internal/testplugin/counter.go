package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// counterClass is a source that counts from where its offset says up to
// "limit", 10 records per Poll, writing each number as a string. Its
// "misbehave" key makes a task fail in the ways the worker must survive:
// "panic" (a panic in Poll), "exit" (the process exits in Poll), "badvalue"
// (a value outside the data model), "huge" (a batch over the size limit),
// "both" (a record and a retriable error), "hangpoll" (a Poll that never
// returns, whatever its context says), "hangstop" (a Stop that never
// returns), "flaky" (its second Poll returns a retriable error and nothing
// else), "deadline" (its first Poll waits until its context ends and returns
// the context's error, wrapped, as a task waiting for its committed offset
// while Kafka is away does). With "polls.file", each Poll appends a line to that file. Its
// task is a Committer whose Commit fails if it runs during a Poll.
const counterClass = "com.example.test.CounterSource"

type counter struct{ props map[string]string }

func counterDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "topic", Type: config.String, Default: config.NoDefault, Importance: config.High, Doc: "Topic to write to"}).
		Define(config.Key{Name: "limit", Type: config.Long, Default: int64(100), Validator: config.AtLeast(0), Importance: config.Medium, Doc: "Count up to this number, excluded"}).
		Define(config.Key{Name: "state.file", Type: config.String, Default: "", Importance: config.Low, Doc: "Where Start writes the offset it resumed from"}).
		Define(config.Key{Name: "polls.file", Type: config.String, Default: "", Importance: config.Low, Doc: "Where each Poll appends a line"}).
		Define(config.Key{Name: "version.file", Type: config.String, Default: "", Importance: config.Low, Doc: "Where a task's Start writes the counter's version"}).
		Define(config.Key{Name: "misbehave", Type: config.String, Default: "", Validator: config.ValidString("", "panic", "exit", "badvalue", "huge", "both", "hangpoll", "hangstop", "flaky", "deadline"), Importance: config.Low, Doc: "How to misbehave"})
}

func (c *counter) Config() *config.Def { return counterDef() }
func (c *counter) Start(_ context.Context, cc connectors.ConnectorContext, props map[string]string) error {
	c.props = props
	cc.Logger().Info("counter connector started")
	return nil
}
func (c *counter) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{c.props}, nil
}
func (c *counter) Stop(context.Context) error     { return nil }
func (c *counter) NewTask() connectors.SourceTask { return &counterTask{} }

type counterTask struct {
	tc        connectors.SourceTaskContext
	topic     string
	limit     int64
	next      int64
	misbehave string
	part      map[string]any
	acked     int
	pollsFile string
	polls     int
	inPoll    atomic.Bool
}

func (t *counterTask) Start(ctx context.Context, tc connectors.SourceTaskContext, props map[string]string) error {
	v, err := counterDef().Parse(props)
	if err != nil {
		return err
	}
	t.tc, t.topic, t.limit, t.misbehave = tc, v.String("topic"), v.Long("limit"), v.String("misbehave")
	t.pollsFile = v.String("polls.file")
	t.part = map[string]any{"counter": t.topic}
	off, err := tc.Offsets().Offset(ctx, t.part)
	if err != nil {
		return fmt.Errorf("reading the offset: %w", err)
	}
	resumed := "none"
	if off != nil {
		n, ok := off["n"].(int64)
		if !ok {
			return fmt.Errorf("offset n is a %T, want int64", off["n"])
		}
		t.next = n + 1
		resumed = fmt.Sprintf("%d %T", n, off["n"])
	}
	if f := v.String("state.file"); f != "" {
		if err := os.WriteFile(f, []byte(resumed), 0o644); err != nil {
			return err
		}
	}
	if f := v.String("version.file"); f != "" {
		if err := os.WriteFile(f, []byte(counterVersion), 0o644); err != nil {
			return err
		}
	}
	tc.Logger().Info("counter task started", "resumed", resumed)
	return nil
}

func (t *counterTask) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	t.inPoll.Store(true)
	defer t.inPoll.Store(false)
	t.polls++
	if t.pollsFile != "" {
		f, err := os.OpenFile(t.pollsFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(f, "poll %d\n", t.polls)
		if err := f.Close(); err != nil {
			return nil, err
		}
	}
	switch t.misbehave {
	case "flaky":
		if t.polls == 2 {
			return nil, connectors.Retriable(errors.New("flaky poll"))
		}
	case "panic":
		panic("counter told to panic")
	case "exit":
		fmt.Fprintln(os.Stderr, "counter told to exit")
		os.Exit(3)
	case "hangpoll":
		select {}
	case "deadline":
		if t.polls == 1 {
			<-ctx.Done()
			return nil, fmt.Errorf("read the committed offset: %w", ctx.Err())
		}
	case "both":
		return []connectors.SourceRecord{{Record: connectors.Record{Topic: t.topic, Value: "x"}}}, connectors.Retriable(errors.New("records and an error"))
	case "badvalue":
		return []connectors.SourceRecord{{Record: connectors.Record{Topic: t.topic, Value: struct{ X int }{1}}}}, nil
	case "huge":
		big := make([]byte, 1<<20)
		recs := make([]connectors.SourceRecord, 80)
		for i := range recs {
			recs[i] = connectors.SourceRecord{Record: connectors.Record{Topic: t.topic, Value: big}}
		}
		return recs, nil
	}
	if t.next >= t.limit {
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
		return nil, nil
	}
	var recs []connectors.SourceRecord
	for range 10 {
		if t.next >= t.limit {
			break
		}
		recs = append(recs, connectors.SourceRecord{
			Record:          connectors.Record{Topic: t.topic, ValueSchema: schemas.StringSchema, Value: strconv.FormatInt(t.next, 10)},
			SourcePartition: t.part,
			SourceOffset:    map[string]any{"n": int(t.next)}, // an int: the worker normalises it
		})
		t.next++
	}
	return recs, nil
}

// CommitRecord makes the task a RecordCommitter; it checks it gets its own
// records back.
func (t *counterTask) CommitRecord(rec *connectors.SourceRecord, md *connectors.RecordMetadata) error {
	if rec == nil || rec.SourceOffset == nil {
		return errors.New("CommitRecord without the record")
	}
	if _, ok := rec.SourceOffset["n"].(int); !ok {
		return fmt.Errorf("CommitRecord got a record that is not the one Poll returned (offset %T)", rec.SourceOffset["n"])
	}
	t.acked++
	return nil
}

// Commit makes the task a Committer; it must never run during a Poll.
func (t *counterTask) Commit(context.Context) error {
	if t.inPoll.Load() {
		return errors.New("Commit called during Poll")
	}
	return nil
}

func (t *counterTask) Stop(context.Context) error {
	if t.misbehave == "hangstop" {
		select {}
	}
	t.tc.Logger().Info("counter task stopped", "acked", t.acked)
	return nil
}
