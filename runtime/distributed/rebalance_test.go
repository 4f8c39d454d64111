package distributed

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
	"github.com/sluicehq/sluice/runtime/storage"
)

// gatedLog is an in-memory status topic whose sends wait while its gate is
// shut, as they do while Kafka is away.
type gatedLog struct {
	mu   sync.Mutex
	gate chan struct{} // closed: sends go through
	recs []kafka.LogRecord
}

func newGatedLog() *gatedLog {
	return &gatedLog{gate: make(chan struct{})}
}

func (l *gatedLog) Start(context.Context) error     { return nil }
func (l *gatedLog) ReadToEnd(context.Context) error { return nil }
func (l *gatedLog) Close() error                    { return nil }

func (l *gatedLog) Send(ctx context.Context, recs ...kafka.LogRecord) error {
	l.mu.Lock()
	gate := l.gate
	l.mu.Unlock()
	select {
	case <-gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, recs...)
	return nil
}

// open lets sends through; shut makes them wait again.
func (l *gatedLog) open() {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.gate:
	default:
		close(l.gate)
	}
}

func (l *gatedLog) shut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gate = make(chan struct{})
}

func (l *gatedLog) records() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, len(l.recs))
	for i, r := range l.recs {
		out[i] = string(r.Key) + " = " + string(r.Value)
	}
	return out
}

// TestProtocolsWritesStatusesAfterLoss: a worker that lost its group
// membership (OnLost) sends its next JoinGroup only once the statuses it
// wrote for the work it stopped have reached the status topic, so that the
// topic says the work stopped here before it can start elsewhere. A worker
// that did not lose its membership since it last joined does not make the
// coordinator wait for its statuses.
func TestProtocolsWritesStatusesAfterLoss(t *testing.T) {
	lg := slog.New(slog.NewTextHandler(io.Discard, nil))
	topic := newGatedLog()
	status, err := storage.NewKafkaStatus(func(func(kafka.LogRecord)) (storage.TopicLog, error) { return topic, nil }, "w1", lg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := status.Close(); err != nil {
			t.Error(err)
		}
	})
	t.Cleanup(topic.open) // before Close, which waits for the statuses
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h := &Herder{cfg: &Config{Protocol: ProtocolSessioned, RebalanceTimeout: time.Minute, URL: "http://w1:8083"},
		status: status, log: lg, ctx: ctx, queue: make(chan func()), assigned: newWork(), running: newWork()}
	// The loop: it runs what settle hands it and says so on settled.
	settled := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case f := <-h.queue:
				f()
				select {
				case settled <- struct{}{}:
				default:
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	g := (*groupHandler)(h)
	t0, t1 := herder.TaskID{Connector: "c", Task: 0}, herder.TaskID{Connector: "c", Task: 1}
	// protocols calls Protocols and fails t if it took as long as a status
	// flush may (it waited for statuses that cannot be written).
	protocols := func(what string) {
		t.Helper()
		start := time.Now()
		if ps := g.Protocols(); len(ps) == 0 {
			t.Fatalf("%s: no protocols", what)
		}
		if d := time.Since(start); d >= statusFlushTimeout {
			t.Fatalf("%s: Protocols took %v: it waited for the statuses", what, d)
		}
	}

	// Kafka is away: the task's RUNNING waits to be written.
	status.SetGeneration(3)
	status.PutTask(t0, herder.TaskState{State: herder.Running})
	protocols("a member in the group")

	// The membership is lost; another task says RUNNING late (fenced: not
	// written), the loop stops the first. The JoinGroup waits until the
	// UNASSIGNED is written: it has not gone out a while after the loop
	// settled, and goes out once Kafka is back and the status written.
	g.OnLost(errors.New("the session timed out"))
	status.PutTask(t1, herder.TaskState{State: herder.Running})
	status.PutTask(t0, herder.TaskState{State: herder.Unassigned})
	select {
	case <-settled:
	default:
	}
	joined := make(chan []string, 1) // the status topic when Protocols returned
	go func() {
		g.Protocols()
		joined <- topic.records()
	}()
	<-settled
	select {
	case got := <-joined:
		t.Fatalf("the JoinGroup went out before the statuses were written; the status topic then: %q", got)
	case <-time.After(200 * time.Millisecond):
	}
	topic.open()
	var got []string
	select {
	case got = <-joined:
	case <-time.After(2 * statusFlushTimeout):
		t.Fatal("Protocols did not return once Kafka was back")
	}
	want := `status-task-c-0 = {"state":"UNASSIGNED","trace":null,"worker_id":"w1","generation":3,"version":null}`
	if len(got) == 0 || got[len(got)-1] != want {
		t.Fatalf("status topic when the JoinGroup was sent: %q; want it to end with %s", got, want)
	}
	for _, r := range got {
		if strings.HasPrefix(r, "status-task-c-1 ") {
			t.Errorf("a RUNNING put after the loss was written: %s", r)
		}
	}

	// Joined again; Kafka is away again. The next JoinGroup, without a loss
	// since, does not wait for the statuses.
	topic.shut()
	status.SetGeneration(4)
	status.PutTask(t1, herder.TaskState{State: herder.Running})
	protocols("a member that rejoined after its loss")
}

func TestOwnedBy(t *testing.T) {
	for _, tc := range []struct {
		url, id string
		want    bool
	}{
		{"http://w1:8083", "w1:8083", true},
		{"https://w1:8443", "w1:8443", true},
		{"https://w1:8443", "w1:8083", false},
		{"http://w2:8083", "w1:8083", false},
		{"", "w1:8083", false},
		{"", "", false},
	} {
		if got := ownedBy(tc.url, tc.id); got != tc.want {
			t.Errorf("ownedBy(%q, %q) = %v, want %v", tc.url, tc.id, got, tc.want)
		}
	}
}
