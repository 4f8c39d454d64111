package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/runtime/herder"
)

// scriptedGroup is a sarama.ConsumerGroup whose Consume returns the
// scripted errors in turn, then blocks until its context ends.
type scriptedGroup struct {
	mu     sync.Mutex
	script []error
	calls  int
	errs   chan error // what Errors returns
}

func (g *scriptedGroup) Consume(ctx context.Context, _ []string, _ sarama.ConsumerGroupHandler) error {
	g.mu.Lock()
	g.calls++
	if len(g.script) > 0 {
		err := g.script[0]
		g.script = g.script[1:]
		g.mu.Unlock()
		return err
	}
	g.mu.Unlock()
	<-ctx.Done()
	return nil
}
func (g *scriptedGroup) Errors() <-chan error      { return g.errs }
func (g *scriptedGroup) Close() error              { return nil }
func (g *scriptedGroup) Pause(map[string][]int32)  {}
func (g *scriptedGroup) Resume(map[string][]int32) {}
func (g *scriptedGroup) PauseAll()                 {}
func (g *scriptedGroup) ResumeAll()                {}
func (g *scriptedGroup) consumed() int             { g.mu.Lock(); defer g.mu.Unlock(); return g.calls }
func (g *scriptedGroup) remaining() int            { g.mu.Lock(); defer g.mu.Unlock(); return len(g.script) }
func joined(topic string, kerr error) error        { return errors.Join(fmt.Errorf("%s: %w", topic, kerr)) }

// TestSinkConsumeErrors: an error that retrying cannot cure (Kafka finds a
// topic invalid) ends consume with an error naming it, which fails the
// task; a retriable one (a topic that does not exist yet) is retried, and
// logged when the wait begins and when consuming recovers, however often
// it is retried and however its cause changes.
func TestSinkConsumeErrors(t *testing.T) {
	missing := joined("orders", sarama.ErrUnknownTopicOrPartition)
	down := joined("orders", sarama.ErrOutOfBrokers)
	for _, tc := range []struct {
		name      string
		script    []error
		wantErr   string
		wantWarns int
		wantInfos int
	}{
		{name: "invalid topic", script: []error{joined("bad topic", sarama.ErrInvalidTopic)},
			wantErr: "task s-0 cannot consume topics [bad topic]: bad topic: kafka server: The request attempted to perform an operation on an invalid topic"},
		{name: "denied", script: slices.Concat(slices.Repeat([]error{missing}, 3), []error{joined("orders", sarama.ErrTopicAuthorizationFailed)}), wantWarns: 1,
			wantErr: "task s-0 cannot consume topics [bad topic]: orders: kafka server: The client is not authorized to access this topic"},
		{name: "retriable, then recovered", script: slices.Concat(slices.Repeat([]error{missing}, 20), []error{nil}), wantWarns: 1, wantInfos: 1},
		{name: "retriable, changing", script: slices.Concat(slices.Repeat([]error{missing}, 5), slices.Repeat([]error{down}, 5), slices.Repeat([]error{missing}, 5), []error{nil}), wantWarns: 1, wantInfos: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			var logMu sync.Mutex
			log := slog.New(slog.NewTextHandler(lockedWriter{&logs, &logMu}, nil))
			g := &scriptedGroup{script: tc.script}
			st := &sinkTask{id: herder.TaskID{Connector: "s"}, group: g, topics: []string{"bad topic"}, log: log, consumeRetry: time.Millisecond}
			st.watch = newKafkaWatch(newTaskState(herder.TargetStarted, func(herder.State, string) {}), log)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- st.consume(ctx) }()
			if tc.wantErr == "" {
				deadline := time.Now().Add(10 * time.Second)
				for g.remaining() > 0 || g.consumed() <= len(tc.script) {
					if time.Now().After(deadline) {
						t.Fatalf("consume made %d calls, want more than %d", g.consumed(), len(tc.script))
					}
					time.Sleep(time.Millisecond)
				}
				cancel()
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("consume did not return")
			}
			if tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr) || tc.wantErr == "" && err != nil {
				t.Fatalf("consume returned %v, want %q", err, tc.wantErr)
			}
			logMu.Lock()
			out := logs.String()
			logMu.Unlock()
			if n := strings.Count(out, "level=WARN"); n != tc.wantWarns {
				t.Errorf("%d warnings, want %d:\n%s", n, tc.wantWarns, out)
			}
			if n := strings.Count(out, "Kafka can be reached again"); n != tc.wantInfos {
				t.Errorf("%d recoveries logged, want %d:\n%s", n, tc.wantInfos, out)
			}
		})
	}
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestSinkGroupErrorsLogged: errors the consumer group reports are logged
// when they change, not each time the same one comes again; the errors
// Kafka's clients retry (an outage, a leader moving) are only debug lines,
// since the task's status and log already say it waits.
func TestSinkGroupErrorsLogged(t *testing.T) {
	var logs bytes.Buffer
	var logMu sync.Mutex
	g := &scriptedGroup{errs: make(chan error)}
	st := &sinkTask{group: g, log: slog.New(slog.NewTextHandler(lockedWriter{&logs, &logMu}, nil))}
	done := make(chan struct{})
	go func() {
		st.logGroupErrors()
		close(done)
	}()
	down := joined("orders", sarama.ErrOutOfBrokers)
	denied := joined("orders", sarama.ErrTopicAuthorizationFailed)
	for _, err := range slices.Concat(slices.Repeat([]error{down}, 20), slices.Repeat([]error{denied}, 50),
		[]error{joined("orders", sarama.ErrNotLeaderForPartition), joined("orders", sarama.ErrInvalidTopic)}, slices.Repeat([]error{denied}, 5)) {
		g.errs <- err
	}
	close(g.errs)
	<-done
	logMu.Lock()
	defer logMu.Unlock()
	if n := strings.Count(logs.String(), "level=WARN"); n != 3 {
		t.Fatalf("%d warnings for 55 errors Kafka's clients do not retry, in 3 runs, want 3:\n%s", n, logs.String())
	}
}

// nopSinkTask is a sink task that does nothing.
type nopSinkTask struct{}

func (nopSinkTask) Start(context.Context, connectors.SinkTaskContext, map[string]string) error {
	return nil
}
func (nopSinkTask) Open(context.Context, []connectors.TopicPartition) error          { return nil }
func (nopSinkTask) Put(context.Context, []connectors.SinkRecord) error               { return nil }
func (nopSinkTask) Flush(context.Context, map[connectors.TopicPartition]int64) error { return nil }
func (nopSinkTask) Close(context.Context, []connectors.TopicPartition) error         { return nil }
func (nopSinkTask) Stop(context.Context) error                                       { return nil }

// TestSinkTaskFailsOnFatalConsumeError: a task whose consume ends with an
// error retrying cannot cure (here an authentication failure) stops and
// returns that error; it used to wait a second time for consume's result,
// which its loop had already taken, and stayed RUNNING for ever.
func TestSinkTaskFailsOnFatalConsumeError(t *testing.T) {
	g := &scriptedGroup{script: []error{fmt.Errorf("orders: %w", sarama.ErrSASLAuthenticationFailed)}, errs: make(chan error)}
	close(g.errs)
	log := slog.New(slog.DiscardHandler)
	st := &sinkTask{id: herder.TaskID{Connector: "s"}, task: nopSinkTask{}, group: g, topics: []string{"orders"}, log: log,
		state: newTaskState(herder.TargetStarted, func(herder.State, string) {}), flushEach: time.Hour, drainFor: time.Second,
		errs: &errorHandler{log: log}}
	done := make(chan error, 1)
	go func() { done <- st.run(context.Background()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "SASL authentication failed") {
			t.Fatalf("run returned %v, want the authentication failure explained", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the task did not stop")
	}
}
