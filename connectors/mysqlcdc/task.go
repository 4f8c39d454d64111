package mysqlcdc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pingcap/tidb/pkg/parser"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/events"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/history"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/incremental"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/safe"
)

// historyStore keeps the schema history: history.KafkaStore, or a fake in
// tests.
type historyStore interface {
	Init(ctx context.Context) error
	Store(ctx context.Context, r history.Record) error
	Recover(ctx context.Context, offset map[string]any, apply func(history.Record) error) error
	Exists(ctx context.Context) (bool, error)
	Close() error
}

// Task is the connector's one task: a reader goroutine takes the initial
// snapshot, then reads the binlog, turning rows into records that it
// queues (at most max.queue.size) for Poll.
type Task struct {
	classFlavor Flavor
	// newHistory makes the schema history store; nil is the Kafka store.
	newHistory func(props map[string]string, flavor Flavor, log *slog.Logger) (historyStore, error)
	// incr is the incremental snapshot engine, nil for none.
	incr incrementalHooks

	log       *slog.Logger
	st        *settings
	props     map[string]string
	flavor    Flavor
	connector string // source.connector: "mysql" or "mariadb"
	db        *sql.DB
	ev        *events.Events
	hist      historyStore
	filter    *tables.Filter
	partition map[string]any
	// ctxHeaders are Debezium's context headers, nil when
	// extended.headers.enabled is false.
	ctxHeaders connectors.Headers

	// Owned by the reader goroutine.
	schema  *tables.Schema
	parser  *parser.Parser
	evTable map[tables.ID]*events.Table
	// capturedCache remembers the filters' verdict per table (regular
	// expressions are too slow for every rows event).
	capturedCache map[tables.ID][2]bool
	pos           *tracker
	lastHB        time.Time

	queue chan connectors.SourceRecord
	// streaming is closed once the binlog reader first connected (tests
	// wait for it).
	streaming     chan struct{}
	streamingOnce sync.Once
	// dumpConn is the server's id of the binlog connection (tests kill it).
	dumpConn atomic.Uint32
	// binlogTLS says whether the binlog connection uses TLS: database.ssl.mode
	// is not disabled and, under preferred, the server offered TLS to the
	// SQL connection.
	binlogTLS bool
	cancel    context.CancelFunc
	done      chan struct{}
	mu        sync.Mutex
	err       error // why the reader stopped
}

var _ connectors.SourceTask = (*Task)(nil)

// Start checks the server, opens the schema history and starts the reader
// goroutine. A server whose binlog is not usable for change data capture,
// or a user who lacks a privilege, fails the task here with what to change.
func (t *Task) Start(ctx context.Context, tc connectors.SourceTaskContext, props map[string]string) error {
	t.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	if tc != nil {
		t.log = tc.Logger()
	}
	st, err := parseSettings(props)
	if err != nil {
		return fmt.Errorf("MySQL CDC task configuration: %w", err)
	}
	t.st, t.props = st, props
	t.partition = map[string]any{"server": st.prefix}
	modes, err := events.ParseModes(props)
	if err != nil {
		return err
	}
	if t.filter, err = tables.NewFilter(props); err != nil {
		return err
	}
	if t.db, err = openDB(st); err != nil {
		return err
	}
	if err := t.start(ctx, tc, modes); err != nil {
		_ = t.db.Close()
		if t.hist != nil {
			_ = t.hist.Close()
		}
		return err
	}
	return nil
}

func (t *Task) start(ctx context.Context, tc connectors.SourceTaskContext, modes events.Modes) error {
	st := t.st
	cctx, cancel := context.WithTimeout(ctx, st.connTimeout+10*time.Second)
	defer cancel()
	if err := t.db.PingContext(cctx); err != nil {
		return describe(err, st)
	}
	info, err := detectFlavor(cctx, t.db)
	if err != nil {
		return describe(err, st)
	}
	if st.tls != nil {
		cipher, err := sessionCipher(cctx, t.db)
		if err != nil {
			return describe(err, st)
		}
		// Under preferred the driver fell back to plaintext when the
		// server offers no TLS; the binlog connection does the same.
		t.binlogTLS = cipher != ""
		if cipher == "" {
			t.log.Info("the database server offers no TLS: connected in plaintext", "database.ssl.mode", st.sslMode)
		} else {
			t.log.Info("connected with TLS", "database.ssl.mode", st.sslMode, "cipher", cipher)
		}
	}
	t.flavor = info.flavor
	t.connector = events.ConnectorMySQL
	if t.classFlavor == MariaDB {
		t.connector = events.ConnectorMariaDB
		if info.flavor != MariaDB {
			t.log.Warn("MariaDbConnector is reading a MySQL server; MySqlConnector is the class for MySQL", "version", info.version)
		}
	}
	if err := checkServer(cctx, t.db, st, t.flavor); err != nil {
		return err
	}
	if t.ev, err = events.New(events.Options{Connector: t.connector, TopicPrefix: st.prefix, Modes: modes}); err != nil {
		return err
	}
	if st.extHeaders {
		runID, err := newRunID(time.Now())
		if err != nil {
			return err
		}
		t.ctxHeaders = contextHeaders(st.prefix, t.connector, runID)
	}
	if st.signalTable != "" && t.incr == nil {
		h, err := incremental.NewHooks(st.signalTable, t.props, t.ev, t.log)
		if err != nil {
			return err
		}
		if h != nil {
			t.incr = h
		}
	}
	newHistory := t.newHistory
	if newHistory == nil {
		newHistory = kafkaHistory
	}
	if t.hist, err = newHistory(t.props, t.flavor, t.log); err != nil {
		t.hist = nil
		return err
	}
	if err := t.hist.Init(ctx); err != nil {
		return fmt.Errorf("schema history topic %s: %w", st.historyTopic, err)
	}
	var stored map[string]any
	if tc != nil {
		if stored, err = tc.Offsets().Offset(ctx, t.partition); err != nil {
			return fmt.Errorf("reading the stored offset: %w", err)
		}
	}
	plan, err := t.plan(ctx, stored)
	if err != nil {
		return err
	}
	t.queue = make(chan connectors.SourceRecord, st.maxQueue)
	t.streaming = make(chan struct{})
	rctx, stop := context.WithCancel(context.Background())
	t.cancel, t.done = stop, make(chan struct{})
	go t.run(rctx, plan)
	return nil
}

// kafkaHistory is the schema history in Kafka, Debezium's
// KafkaSchemaHistory.
func kafkaHistory(props map[string]string, f Flavor, log *slog.Logger) (historyStore, error) {
	k, err := history.NewKafkaStore(props, string(f), log)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return k, nil
}

// Poll returns the records queued, up to max.batch.size, waiting up to
// poll.interval.ms for the first. Once the reader has stopped on an error
// and its records are all returned, Poll returns the error.
func (t *Task) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	timer := time.NewTimer(t.st.pollInterval)
	defer timer.Stop()
	var first connectors.SourceRecord
	select {
	case first = <-t.queue:
	case <-t.done:
		select {
		case first = <-t.queue:
		default:
			return nil, t.readerErr()
		}
	case <-timer.C:
		return nil, nil
	case <-ctx.Done():
		return nil, nil
	}
	out := make([]connectors.SourceRecord, 1, min(t.st.maxBatch, len(t.queue)+1))
	out[0] = first
	for len(out) < t.st.maxBatch {
		select {
		case r := <-t.queue:
			out = append(out, r)
			continue
		default:
		}
		break
	}
	return out, nil
}

// readerErr is why the reader stopped; nil when it finished an
// initial_only snapshot.
func (t *Task) readerErr() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if errors.Is(t.err, errDone) {
		return nil
	}
	return t.err
}

// errDone marks a reader that finished (snapshot.mode=initial_only).
var errDone = errors.New("done")

// Stop ends the reader and releases the connections.
func (t *Task) Stop(context.Context) error {
	if t.cancel != nil {
		t.cancel()
		<-t.done
	}
	var errs []error
	if t.hist != nil {
		errs = append(errs, t.hist.Close())
	}
	if t.db != nil {
		errs = append(errs, t.db.Close())
	}
	return errors.Join(errs...)
}

// run is the reader goroutine: snapshot (when the plan says so), then the
// binlog until ctx is done or an error stops it.
func (t *Task) run(ctx context.Context, p *startPlan) {
	defer close(t.done)
	// The reader runs third parties' code (the binlog client, the DDL
	// parser) on what the server sends: a panic on some input fails this
	// task, as any error does, instead of taking the worker down.
	err := safe.Do("the binlog reader", func() error { return t.read(ctx, p) })
	if ctx.Err() != nil && !errors.Is(err, errDone) {
		err = nil
	}
	if err != nil && !errors.Is(err, errDone) {
		t.log.Error("the binlog reader stopped", "error", err)
	}
	t.mu.Lock()
	t.err = err
	t.mu.Unlock()
}

// emit queues a record, waiting while the queue is full.
func (t *Task) emit(ctx context.Context, r connectors.SourceRecord) error {
	r.Headers = withHeaders(r.Headers, t.ctxHeaders)
	return t.enqueue(ctx, r)
}

// enqueue queues a record as it is (heartbeats carry no headers).
func (t *Task) enqueue(ctx context.Context, r connectors.SourceRecord) error {
	select {
	case t.queue <- r:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
