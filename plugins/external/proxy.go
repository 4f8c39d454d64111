package external

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins/external/internal/pb"
	"github.com/sluicehq/sluice/plugins/external/internal/wire"
)

// rpcTimeout bounds calls the worker makes without a context of its own
// (TaskConfigs, validation).
const rpcTimeout = time.Minute

// instance is the process of one connector or task.
type instance struct {
	sp    *spec
	class string // the class named in errors and the logger
	mu    sync.Mutex
	p     *proc
}

func (in *instance) proc() (*proc, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.p == nil {
		return nil, fmt.Errorf("plugin %s (%s): not started", in.class, in.sp.bin.path)
	}
	return in.p, nil
}

// launch starts the instance's process and its callback server; start
// makes the Start call with the callback server's id.
func (in *instance) launch(ctx context.Context, log *slog.Logger, h *hostServer, start func(p *proc, id uint32) error) error {
	p, err := in.sp.bin.l.start(ctx, in.sp.bin.path, startTimeout, func() *slog.Logger { return log })
	if err != nil {
		return fmt.Errorf("plugin %s (%s): %w", in.class, in.sp.bin.path, err)
	}
	in.sp.bin.l.mu.Lock()
	p.role = in.class
	in.sp.bin.l.mu.Unlock()
	id := p.broker.NextId()
	go p.broker.AcceptAndServe(id, func(opts []grpc.ServerOption) *grpc.Server {
		s := grpc.NewServer(append(opts, grpc.MaxRecvMsgSize(maxMessageBytes))...)
		pb.RegisterHostServer(s, h)
		return s
	})
	in.mu.Lock()
	in.p = p
	in.mu.Unlock()
	// Under the instance's logger (naming the connector or task), so an
	// operator can tell which process runs which task.
	log.Info("plugin process started", "pid", p.pid(), "binary", in.sp.bin.path)
	if err := start(p, id); err != nil {
		err = p.callError(in.class, "Start", err) // before the kill below ends the process
		in.end()
		return err
	}
	return nil
}

// running reports whether the instance has a process.
func (in *instance) running() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.p != nil
}

// end kills the instance's process.
func (in *instance) end() {
	in.mu.Lock()
	p := in.p
	in.p = nil
	in.mu.Unlock()
	if p != nil {
		p.kill()
	}
}

// pid returns the process id of the running instance, 0 when none runs.
func (in *instance) pid() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.p == nil {
		return 0
	}
	return in.p.pid()
}

// call runs one call on the instance's process, turning its error into
// what the worker reports.
func (in *instance) call(method string, f func(p *proc) error) error {
	p, err := in.proc()
	if err != nil {
		return err
	}
	if err := f(p); err != nil {
		return p.callError(in.class, method, err)
	}
	return nil
}

// stop makes the Stop call, then kills the process whatever happened. A
// call without a deadline gets the stop timeout: the runtime stops tasks
// with a context that never ends, and a plugin whose Stop hangs must not
// keep its task (and the worker's shutdown) waiting, nor leave its
// process behind.
func (in *instance) stop(ctx context.Context, f func(ctx context.Context, p *proc) error) error {
	defer in.end()
	timeout := in.sp.bin.l.stopTimeout
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	err := in.call("Stop", func(p *proc) error { return f(ctx, p) })
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("plugin %s (%s): Stop did not return in time (%v); its process is killed", in.class, in.sp.bin.path, timeout)
	}
	return err
}

// connector is the worker's side of a plugin connector.
type connector struct {
	sp      *spec
	in      *instance
	unwatch context.CancelFunc
}

func (c *connector) Config() *config.Def { return c.sp.def }

func (c *connector) Start(ctx context.Context, cc connectors.ConnectorContext, props map[string]string) error {
	c.in = &instance{sp: c.sp, class: c.sp.s.Class}
	err := c.in.launch(ctx, cc.Logger(), &hostServer{cc: cc}, func(p *proc, id uint32) error {
		_, err := p.rpc.ConnectorStart(ctx, &pb.StartRequest{Class: c.sp.s.Class, Props: props, HostBrokerId: id})
		return err
	})
	if err == nil {
		c.watch(cc)
	}
	return err
}

// watch fails the connector (RaiseError) when its process dies while it
// runs: nothing else would notice, the runtime calls a connector rarely.
func (c *connector) watch(cc connectors.ConnectorContext) {
	p, err := c.in.proc()
	if err != nil {
		return
	}
	// The goroutine reads only what it is given here: c.in is replaced by
	// a later Start of the same connector.
	class := c.in.class
	ctx, cancel := context.WithCancel(context.Background())
	c.unwatch = cancel
	go func() {
		_, err := p.rpc.Wait(ctx, &pb.Empty{})
		if err != nil && ctx.Err() == nil {
			cc.RaiseError(p.callError(class, "running", err))
		}
	}()
}

func (c *connector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	if c.in == nil {
		return nil, errors.New("connector not started")
	}
	var out []map[string]string
	err := c.in.call("TaskConfigs", func(p *proc) error {
		ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
		defer cancel()
		r, err := p.rpc.TaskConfigs(ctx, &pb.TaskConfigsRequest{MaxTasks: int32(min(maxTasks, 1<<30))})
		for _, m := range r.GetConfigs() {
			cfg := m.GetEntries()
			if cfg == nil {
				cfg = map[string]string{}
			}
			out = append(out, cfg)
		}
		return err
	})
	return out, err
}

func (c *connector) Stop(ctx context.Context) error {
	if c.in == nil || !c.in.running() {
		return nil
	}
	if c.unwatch != nil {
		c.unwatch()
	}
	return c.in.stop(ctx, func(ctx context.Context, p *proc) error {
		_, err := p.rpc.ConnectorStop(ctx, &pb.Empty{})
		return err
	})
}

// shared runs a call that only reads on the binary's shared process. The
// process can die between two calls, and go-plugin notices an exit only
// some time after the process is gone: a call on a process that was
// already running and turns out to have exited is made again, once, on a
// new process. A process started for the call that dies during it is the
// call's failure.
func (c *connector) shared(ctx context.Context, method string, f func(ctx context.Context, p *proc) error) error {
	return c.sharedCall(ctx, method, true, f)
}

// sharedCall runs a call on the binary's shared process; again tells
// whether it may be made again on a new process when the process it found
// has exited (see shared): not for a call that may act on something
// outside the process.
func (c *connector) sharedCall(ctx context.Context, method string, again bool, f func(ctx context.Context, p *proc) error) error {
	p, fresh, err := c.sp.bin.sharedProc(ctx, nil)
	if err != nil {
		return err
	}
	err = f(ctx, p)
	if err == nil {
		return nil
	}
	err = p.callError(c.sp.s.Class, method, err)
	if !again || fresh || !p.client.Exited() || ctx.Err() != nil {
		return err
	}
	if p, _, err = c.sp.bin.sharedProc(ctx, p); err != nil {
		return err
	}
	if err := f(ctx, p); err != nil {
		return p.callError(c.sp.s.Class, method, err)
	}
	return nil
}

// errorResults reports a failure to validate as an error on every key, so
// that a configuration is never taken as valid when the plugin could not
// check it.
func (c *connector) errorResults(props map[string]string, err error) []config.Result {
	rs := c.sp.def.Validate(props)
	if len(rs) == 0 {
		return []config.Result{{Name: "connector.class", Errors: []string{err.Error()}, Visible: true}}
	}
	for i := range rs {
		rs[i].Errors = append(rs[i].Errors, err.Error())
	}
	return rs
}

// Validate validates props in the plugin, exactly as the connector linked
// into a worker would be: its Validate if it has one, else its definition's.
func (c *connector) Validate(props map[string]string) []config.Result {
	ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
	defer cancel()
	var rs []config.Result
	err := c.shared(ctx, "Validate", func(ctx context.Context, p *proc) error {
		r, err := p.rpc.Validate(ctx, &pb.ValidateRequest{Class: c.sp.s.Class, Props: props})
		rs = wire.FromResults(r)
		return err
	})
	if err != nil {
		return c.errorResults(props, err)
	}
	return rs
}

// ValidateLive runs the connector's live validation, if it has one.
func (c *connector) ValidateLive(ctx context.Context, props map[string]string) []config.Result {
	if !c.sp.s.LiveValidator {
		return nil
	}
	var rs []config.Result
	err := c.shared(ctx, "ValidateLive", func(ctx context.Context, p *proc) error {
		r, err := p.rpc.ValidateLive(ctx, &pb.ValidateRequest{Class: c.sp.s.Class, Props: props})
		rs = wire.FromResults(r)
		return err
	})
	if err != nil {
		return []config.Result{{Name: "connector.class", Errors: []string{err.Error()}, Visible: true}}
	}
	return rs
}

// EmbeddedSecrets returns the secrets the connector finds inside values.
func (c *connector) EmbeddedSecrets(props map[string]string) []string {
	if !c.sp.s.SecretHolder {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
	defer cancel()
	var out []string
	err := c.shared(ctx, "EmbeddedSecrets", func(ctx context.Context, p *proc) error {
		r, err := p.rpc.EmbeddedSecrets(ctx, &pb.ValidateRequest{Class: c.sp.s.Class, Props: props})
		out = r.GetValues()
		return err
	})
	if err != nil {
		// Nothing secret may leak for want of the list: the error is in
		// the log, and every value is treated as a secret.
		c.sp.bin.l.log.Warn("plugin " + c.sp.s.Class + ": EmbeddedSecrets failed; every value of the configuration is scrubbed: " + err.Error())
		for _, v := range props {
			out = append(out, v)
		}
	}
	return out
}

// FileKeys returns the keys that name local files.
func (c *connector) FileKeys() []string { return c.sp.s.FileKeys }

func (c *connector) alter(ctx context.Context, req *pb.AlterOffsetsRequest) (bool, error) {
	if !c.sp.s.OffsetAlterer {
		return false, nil
	}
	var handled bool
	// Not made again: a connector may propagate offsets to a system of
	// its own here, and the process may have died doing it.
	err := c.sharedCall(ctx, "AlterOffsets", false, func(ctx context.Context, p *proc) error {
		r, err := p.rpc.AlterOffsets(ctx, req)
		handled = r.GetHandled()
		return err
	})
	return handled, err
}

type sourceConnector struct{ connector }

// AlterOffsets forwards to the connector's, if it has one.
func (c *sourceConnector) AlterOffsets(ctx context.Context, props map[string]string, offsets []connectors.SourceOffset) (bool, error) {
	req := &pb.AlterOffsetsRequest{Class: c.sp.s.Class, Props: props}
	for _, o := range offsets {
		pm, err := wire.EncodeOffsetMap(o.Partition)
		if err != nil {
			return false, fmt.Errorf("source partition: %w", err)
		}
		om, err := wire.EncodeOffsetMap(o.Offset)
		if err != nil {
			return false, fmt.Errorf("source offset: %w", err)
		}
		req.Source = append(req.Source, &pb.SourceOffset{Partition: pm, Offset: om})
	}
	return c.alter(ctx, req)
}

func (c *sourceConnector) NewTask() connectors.SourceTask {
	t := &sourceTask{task: task{sp: c.sp}, rc: c.sp.s.TaskRecordCommitter}
	if t.rc {
		return &recordCommittingSourceTask{t}
	}
	return t
}

type sinkConnector struct{ connector }

// AlterOffsets forwards to the connector's, if it has one.
func (c *sinkConnector) AlterOffsets(ctx context.Context, props map[string]string, offsets map[connectors.TopicPartition]*int64) (bool, error) {
	req := &pb.AlterOffsetsRequest{Class: c.sp.s.Class, Props: props}
	for tp, o := range offsets {
		po := &pb.PartitionOffset{Tp: &pb.TopicPartition{Topic: tp.Topic, Partition: tp.Partition}}
		if o != nil {
			po.HasOffset, po.Offset = true, *o
		}
		req.Sink = append(req.Sink, po)
	}
	return c.alter(ctx, req)
}

func (c *sinkConnector) NewTask() connectors.SinkTask {
	t := &sinkTask{task: task{sp: c.sp}}
	if c.sp.s.TaskPreCommitter {
		return &preCommittingSinkTask{t}
	}
	return t
}

type task struct {
	sp *spec
	in *instance

	diedOnce sync.Once
	died     chan error // the process's death while the task runs, once
	unwatch  context.CancelFunc
}

// Failed returns a channel that yields an error, once, when the task's
// process dies between calls: a sink task whose partitions are idle, or a
// paused source task, is not called, so nothing else would notice. The
// runtime selects on it (a task that can fail on its own, outside any call,
// has this method); a call the runtime makes meanwhile fails with the same
// cause.
func (t *task) Failed() <-chan error {
	t.diedOnce.Do(func() { t.died = make(chan error, 1) })
	return t.died
}

// watch starts watching the task's process; stop ends the watch.
func (t *task) watch() {
	p, err := t.in.proc()
	if err != nil {
		return
	}
	t.Failed() // makes t.died
	// The goroutine reads only what it is given here: t.in is replaced
	// by a later Start of the same task (one after Close fails).
	died, class := t.died, t.in.class
	ctx, cancel := context.WithCancel(context.Background())
	t.unwatch = cancel
	go func() {
		_, err := p.rpc.Wait(ctx, &pb.Empty{})
		if err != nil && ctx.Err() == nil {
			died <- p.callError(class, "running", err)
		}
	}()
}

// Pid returns the process id of a running plugin connector or task (0 when
// it runs no process), for tests and diagnostics.
func Pid(x any) int {
	switch v := x.(type) {
	case *connector:
		if v.in != nil {
			return v.in.pid()
		}
	case *sourceConnector:
		return Pid(&v.connector)
	case *sinkConnector:
		return Pid(&v.connector)
	case *sourceTask:
		if v.in != nil {
			return v.in.pid()
		}
	case *recordCommittingSourceTask:
		return Pid(v.sourceTask)
	case *sinkTask:
		if v.in != nil {
			return v.in.pid()
		}
	case *preCommittingSinkTask:
		return Pid(v.sinkTask)
	}
	return 0
}

func (t *task) stop(ctx context.Context) error {
	if t.unwatch != nil {
		t.unwatch()
	}
	if t.in == nil || !t.in.running() {
		return nil
	}
	return t.in.stop(ctx, func(ctx context.Context, p *proc) error {
		_, err := p.rpc.TaskStop(ctx, &pb.Empty{})
		return err
	})
}

// sourceTask is the worker's side of a plugin source task.
type sourceTask struct {
	task
	rc     bool
	pollID uint64 // of the last Poll; Poll runs on one goroutine

	mu       sync.Mutex
	seqs     map[*connectors.SourceRecord]uint64
	acks     []*pb.Ack
	wake     chan struct{}
	stopAck  chan struct{}
	ackDone  chan struct{}
	stopOnce sync.Once // Stop may be called again
}

func (t *sourceTask) Start(ctx context.Context, tc connectors.SourceTaskContext, props map[string]string) error {
	t.in = &instance{sp: t.sp, class: t.sp.s.Class + "Task"}
	err := t.in.launch(ctx, tc.Logger(), &hostServer{stc: tc}, func(p *proc, id uint32) error {
		_, err := p.rpc.SourceTaskStart(ctx, &pb.StartRequest{Class: t.sp.s.Class, Props: props, HostBrokerId: id})
		if err == nil && t.rc {
			t.seqs = map[*connectors.SourceRecord]uint64{}
			t.wake, t.stopAck, t.ackDone = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
			go t.sendAcks()
		}
		return err
	})
	if err == nil {
		t.watch()
	}
	return err
}

func (t *sourceTask) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	if ctx.Err() != nil {
		return nil, nil
	}
	var recs []connectors.SourceRecord
	var first uint64
	var taskErr error // returned by the task along with records
	var abandoned atomic.Bool
	err := t.in.call("Poll", func(p *proc) error {
		// The call itself is never cancelled: what the task returns as it
		// gives up must reach the runtime (it considers those records
		// delivered). ctx's end reaches the task through CancelPoll.
		t.pollID++
		req := &pb.PollRequest{Id: t.pollID}
		if d, ok := ctx.Deadline(); ok {
			req.TimeoutMillis = max(time.Until(d).Milliseconds(), 1)
		}
		// A task that does not return within the stop timeout of its
		// cancellation is given up on, and its process killed: it would
		// hold its task, and the worker's shutdown, forever.
		rpcCtx, abandon := context.WithCancel(context.WithoutCancel(ctx))
		defer abandon()
		stop := context.AfterFunc(ctx, func() {
			giveUp := time.NewTimer(t.sp.bin.l.stopTimeout)
			defer giveUp.Stop()
			cctx, cancel := context.WithTimeout(rpcCtx, t.sp.bin.l.stopTimeout)
			_, _ = p.rpc.CancelPoll(cctx, req)
			cancel()
			select {
			case <-rpcCtx.Done(): // Poll returned
			case <-giveUp.C:
				abandoned.Store(true)
				t.in.end()
				abandon()
			}
		})
		defer stop()
		b, err := p.rpc.Poll(rpcCtx, req)
		if err != nil {
			return err
		}
		first = b.FirstSeq
		if recs, err = wire.DecodeSourceBatch(b); err != nil {
			return fmt.Errorf("the records it returned are invalid: %w", err)
		}
		if b.Error != nil {
			taskErr = wire.FromErrorInfo(b.Error)
		}
		return nil
	})
	if abandoned.Load() {
		return nil, fmt.Errorf("plugin %s (%s): Poll did not return within %v of its cancellation; its process is killed", t.in.class, t.sp.bin.path, t.sp.bin.l.stopTimeout)
	}
	if err != nil {
		return nil, err
	}
	if t.rc && len(recs) > 0 {
		// The runtime hands CommitRecord the very records returned here.
		t.mu.Lock()
		for i := range recs {
			t.seqs[&recs[i]] = first + uint64(i)
		}
		t.mu.Unlock()
	}
	return recs, taskErr
}

func (t *sourceTask) Commit(ctx context.Context) error {
	if !t.sp.s.TaskCommitter {
		return nil
	}
	return t.in.call("Commit", func(p *proc) error {
		_, err := p.rpc.Commit(ctx, &pb.Empty{})
		return err
	})
}

func (t *sourceTask) Stop(ctx context.Context) error {
	if t.stopAck != nil {
		t.stopOnce.Do(func() { close(t.stopAck) })
		<-t.ackDone
	}
	return t.stop(ctx)
}

// recordCommittingSourceTask is a sourceTask whose plugin task is a
// connectors.RecordCommitter: acknowledgements go to it in batches.
type recordCommittingSourceTask struct{ *sourceTask }

func (t *recordCommittingSourceTask) CommitRecord(rec *connectors.SourceRecord, md *connectors.RecordMetadata) error {
	t.mu.Lock()
	seq, ok := t.seqs[rec]
	if ok {
		delete(t.seqs, rec)
		a := &pb.Ack{Seq: seq}
		if md != nil {
			a.HasMetadata, a.Topic, a.Partition, a.Offset = true, md.Topic, md.Partition, md.Offset
			if !md.Timestamp.IsZero() {
				a.Timestamp = &pb.Time{Seconds: md.Timestamp.Unix(), Nanos: int32(md.Timestamp.Nanosecond())}
			}
		}
		t.acks = append(t.acks, a)
	}
	t.mu.Unlock()
	if !ok {
		return nil
	}
	select {
	case t.wake <- struct{}{}:
	default:
	}
	return nil
}

// sendAcks sends the acknowledgements gathered since its last call in one
// call, until Stop; then it sends what is left.
func (t *sourceTask) sendAcks() {
	defer close(t.ackDone)
	for {
		select {
		case <-t.wake:
			t.flushAcks()
		case <-t.stopAck:
			t.flushAcks()
			return
		}
	}
}

func (t *sourceTask) flushAcks() {
	t.mu.Lock()
	acks := t.acks
	t.acks = nil
	t.mu.Unlock()
	if len(acks) == 0 {
		return
	}
	err := t.in.call("CommitRecord", func(p *proc) error {
		ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
		defer cancel()
		_, err := p.rpc.CommitRecords(ctx, &pb.Acks{Acks: acks})
		return err
	})
	if err != nil {
		t.sp.bin.l.log.Warn("commit record", "err", err)
	}
}

// sinkTask is the worker's side of a plugin sink task.
//
// Put is deferred: it sends the batch and returns at once, so that the
// plugin writes a batch while the worker consumes and converts the next.
// Its result is awaited by the next call (Put, Flush, PreCommit, Open,
// Close, Stop) before that call sends anything: an error of a Put surfaces
// at the latest at the next call, and Flush or PreCommit never succeed
// while an earlier Put failed. After a retriable error the failed batch is
// put again, once per try, before the batch of the call that reported the
// error, so that the task sees the same batch again before any later record
// and the runtime's backoff and Timeout still space the tries.
type sinkTask struct {
	task
	inflight chan error    // the deferred Put's result; nil when none runs
	sent     *pb.SinkBatch // the batch of the deferred Put
	sentRecs []connectors.SinkRecord
	// failed is a batch whose deferred Put returned a retriable error,
	// with its records: it is put again before anything else.
	failed     *pb.SinkBatch
	failedRecs []connectors.SinkRecord

	seekMu sync.Mutex
	// seeks are the partitions the task asked to seek (SinkTaskContext
	// Offset) since the last batch was sent: the runtime seeks after the
	// Put that returned, so the next batch's records of those partitions
	// are not the task's to see.
	seeks map[connectors.TopicPartition]bool
}

func (t *sinkTask) Start(ctx context.Context, tc connectors.SinkTaskContext, props map[string]string) error {
	t.in = &instance{sp: t.sp, class: t.sp.s.Class + "Task"}
	err := t.in.launch(ctx, tc.Logger(), &hostServer{ktc: tc, onSeek: t.sought}, func(p *proc, id uint32) error {
		_, err := p.rpc.SinkTaskStart(ctx, &pb.StartRequest{Class: t.sp.s.Class, Props: props, HostBrokerId: id})
		return err
	})
	if err == nil {
		t.watch()
	}
	return err
}

// sought notes a seek the task asked for.
func (t *sinkTask) sought(tp connectors.TopicPartition) {
	t.seekMu.Lock()
	defer t.seekMu.Unlock()
	if t.seeks == nil {
		t.seeks = map[connectors.TopicPartition]bool{}
	}
	t.seeks[tp] = true
}

// settle awaits the deferred Put and puts a batch that failed with a
// retriable error again. Every call but Put's own sending starts with it.
func (t *sinkTask) settle(ctx context.Context) error {
	if err := t.await(ctx); err != nil {
		return err
	}
	return t.retryFailed(ctx)
}

// await awaits the deferred Put; a batch that failed with a retriable
// error is kept, to be put again.
func (t *sinkTask) await(ctx context.Context) error {
	if t.inflight != nil {
		var err error
		select {
		case err = <-t.inflight:
		case <-ctx.Done():
			return fmt.Errorf("plugin %sTask: waiting for the previous Put: %w", t.sp.s.Class, ctx.Err())
		}
		t.inflight = nil
		b, recs := t.sent, t.sentRecs
		t.sent, t.sentRecs = nil, nil
		if err != nil {
			if connectors.IsRetriable(err) {
				t.failed, t.failedRecs = b, recs
			}
			return err
		}
	}
	return nil
}

// retryFailed puts the batch that failed with a retriable error again.
func (t *sinkTask) retryFailed(ctx context.Context) error {
	if t.failed != nil {
		if err := t.putNow(ctx, t.failed); err != nil {
			return err
		}
		t.failed, t.failedRecs = nil, nil
	}
	return nil
}

func (t *sinkTask) putNow(ctx context.Context, b *pb.SinkBatch) error {
	return t.in.call("Put", func(p *proc) error {
		_, err := p.rpc.Put(ctx, b)
		return err
	})
}

func (t *sinkTask) Open(ctx context.Context, partitions []connectors.TopicPartition) error {
	if err := t.settle(ctx); err != nil {
		return err
	}
	return t.in.call("Open", func(p *proc) error {
		_, err := p.rpc.Open(ctx, wire.Partitions(partitions))
		return err
	})
}

// Close drops a batch waiting to be put again whose partitions are closed,
// as the runtime drops its own: it was not put, its offsets are not
// committed, and the partitions' next owner consumes it again.
func (t *sinkTask) Close(ctx context.Context, partitions []connectors.TopicPartition) error {
	err := t.await(ctx)
	if err != nil && !connectors.IsRetriable(err) {
		return err
	}
	if t.failed != nil {
		closed := map[connectors.TopicPartition]bool{}
		for _, tp := range partitions {
			closed[tp] = true
		}
		if err := t.keepFailed(without(t.failedRecs, closed)); err != nil {
			return err
		}
	}
	return t.in.call("Close", func(p *proc) error {
		_, err := p.rpc.Close(ctx, wire.Partitions(partitions))
		return err
	})
}

// keepFailed replaces the batch to put again with recs (none: no batch).
func (t *sinkTask) keepFailed(recs []connectors.SinkRecord) error {
	if len(recs) == len(t.failedRecs) {
		return nil
	}
	t.failed, t.failedRecs = nil, nil
	if len(recs) == 0 {
		return nil
	}
	b, err := t.encode(recs)
	if err != nil {
		return err
	}
	t.failed, t.failedRecs = b, recs
	return nil
}

// without returns the records not consumed from one of the partitions in
// tps (by their original topic and partition, as consumed).
func without(recs []connectors.SinkRecord, tps map[connectors.TopicPartition]bool) []connectors.SinkRecord {
	if len(tps) == 0 {
		return recs
	}
	var out []connectors.SinkRecord
	for i := range recs {
		if !tps[connectors.TopicPartition{Topic: recs[i].OriginalTopic, Partition: recs[i].OriginalPartition}] {
			out = append(out, recs[i])
		}
	}
	return out
}

func (t *sinkTask) encode(records []connectors.SinkRecord) (*pb.SinkBatch, error) {
	b, err := wire.EncodeSinkBatch(records)
	if err == nil && proto.Size(b) > maxMessageBytes-1024 {
		err = fmt.Errorf("its schemas and records take %d bytes, more than the %d a batch may carry", proto.Size(b), maxMessageBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("plugin %sTask: the batch cannot go to the plugin: %w; lower consumer.max.poll.records or consumer.max.partition.fetch.bytes", t.sp.s.Class, err)
	}
	return b, nil
}

// Put sends records to the plugin and returns before the plugin's Put
// does; see sinkTask.
func (t *sinkTask) Put(ctx context.Context, records []connectors.SinkRecord) error {
	// Encoded while the plugin still writes the previous batch.
	var b *pb.SinkBatch
	var err error
	if len(records) > 0 {
		if b, err = t.encode(records); err != nil {
			return err
		}
	}
	if err := t.settle(ctx); err != nil {
		return err
	}
	t.seekMu.Lock()
	seeks := t.seeks
	t.seeks = nil
	t.seekMu.Unlock()
	if kept := without(records, seeks); len(kept) != len(records) {
		records = kept
		if len(records) > 0 {
			if b, err = t.encode(records); err != nil {
				return err
			}
		}
	}
	if len(records) == 0 {
		return nil
	}
	p, err := t.in.proc()
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	t.inflight, t.sent, t.sentRecs = done, b, records
	// The call outlives Put: ctx's end (the task stopping) must not
	// cancel a batch the runtime counts as put; the plugin gets the stop
	// timeout to finish it, then the call is given up.
	rpcCtx, abandon := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(t.sp.bin.l.stopTimeout, abandon) })
	go func() {
		defer abandon()
		defer stop()
		_, err := p.rpc.Put(rpcCtx, b)
		if err != nil {
			err = p.callError(t.in.class, "Put", err)
		}
		done <- err
	}()
	return nil
}

func (t *sinkTask) Flush(ctx context.Context, offsets map[connectors.TopicPartition]int64) error {
	if err := t.settle(ctx); err != nil {
		return err
	}
	return t.in.call("Flush", func(p *proc) error {
		_, err := p.rpc.Flush(ctx, wire.Offsets(offsets))
		return err
	})
}

// Stop awaits the deferred Put (its error is returned along with Stop's);
// a batch waiting to be put again is dropped: not put, so its offsets were
// never committed.
func (t *sinkTask) Stop(ctx context.Context) error {
	var perr error
	if t.inflight != nil && t.in != nil && t.in.running() {
		sctx, cancel := context.WithTimeout(ctx, t.sp.bin.l.stopTimeout)
		select {
		case perr = <-t.inflight:
		case <-sctx.Done():
			perr = fmt.Errorf("plugin %sTask: the last Put did not return in time", t.sp.s.Class)
		}
		cancel()
		t.inflight = nil
	}
	return errors.Join(perr, t.stop(ctx))
}

// preCommittingSinkTask is a sinkTask whose plugin task is a
// connectors.PreCommitter.
type preCommittingSinkTask struct{ *sinkTask }

func (t *preCommittingSinkTask) PreCommit(ctx context.Context, offsets map[connectors.TopicPartition]int64) (map[connectors.TopicPartition]int64, error) {
	if err := t.settle(ctx); err != nil {
		return nil, err
	}
	var out map[connectors.TopicPartition]int64
	err := t.in.call("PreCommit", func(p *proc) error {
		r, err := p.rpc.PreCommit(ctx, wire.Offsets(offsets))
		out = wire.FromOffsets(r)
		return err
	})
	return out, err
}

// hostServer answers a plugin's calls to its context.
type hostServer struct {
	pb.UnimplementedHostServer
	cc  connectors.ConnectorContext
	stc connectors.SourceTaskContext
	ktc connectors.SinkTaskContext
	// onSeek, if set, learns of the seeks a sink task asks for.
	onSeek func(connectors.TopicPartition)
}

var errWrongContext = errors.New("this call does not belong to this plugin process's context")

func (h *hostServer) RequestTaskReconfiguration(context.Context, *pb.Empty) (*pb.Empty, error) {
	if h.cc == nil {
		return nil, wire.Status(errWrongContext)
	}
	h.cc.RequestTaskReconfiguration()
	return &pb.Empty{}, nil
}

func (h *hostServer) RaiseError(_ context.Context, m *pb.ErrorInfo) (*pb.Empty, error) {
	if h.cc == nil {
		return nil, wire.Status(errWrongContext)
	}
	h.cc.RaiseError(wire.FromErrorInfo(m))
	return &pb.Empty{}, nil
}

func (h *hostServer) Offset(ctx context.Context, m *pb.OffsetRequest) (*pb.OffsetMap, error) {
	if h.stc == nil {
		return nil, wire.Status(errWrongContext)
	}
	part, err := wire.DecodeOffsetMap(m.GetPartition())
	if err != nil {
		return nil, wire.Status(fmt.Errorf("source partition: %w", err))
	}
	off, err := h.stc.Offsets().Offset(ctx, part)
	if err != nil {
		return nil, wire.Status(err)
	}
	out, err := wire.EncodeOffsetMap(off)
	return out, wire.Status(err)
}

func (h *hostServer) SeekOffset(_ context.Context, m *pb.PartitionOffset) (*pb.Empty, error) {
	if h.ktc == nil {
		return nil, wire.Status(errWrongContext)
	}
	tp := connectors.TopicPartition{Topic: m.GetTp().GetTopic(), Partition: m.GetTp().GetPartition()}
	if h.onSeek != nil {
		h.onSeek(tp)
	}
	h.ktc.Offset(tp, m.GetOffset())
	return &pb.Empty{}, nil
}

func (h *hostServer) Timeout(_ context.Context, m *pb.TimeoutRequest) (*pb.Empty, error) {
	if h.ktc == nil {
		return nil, wire.Status(errWrongContext)
	}
	// Clamped so that a hostile value cannot overflow into a negative wait.
	ms := min(max(m.GetMillis(), 0), int64(math.MaxInt64/time.Millisecond))
	h.ktc.Timeout(time.Duration(ms) * time.Millisecond)
	return &pb.Empty{}, nil
}

func (h *hostServer) Assignment(context.Context, *pb.Empty) (*pb.Partitions, error) {
	if h.ktc == nil {
		return nil, wire.Status(errWrongContext)
	}
	return wire.Partitions(h.ktc.Assignment()), nil
}

func (h *hostServer) Pause(_ context.Context, m *pb.Partitions) (*pb.Empty, error) {
	if h.ktc == nil {
		return nil, wire.Status(errWrongContext)
	}
	h.ktc.Pause(wire.FromPartitions(m)...)
	return &pb.Empty{}, nil
}

func (h *hostServer) Resume(_ context.Context, m *pb.Partitions) (*pb.Empty, error) {
	if h.ktc == nil {
		return nil, wire.Status(errWrongContext)
	}
	h.ktc.Resume(wire.FromPartitions(m)...)
	return &pb.Empty{}, nil
}

func (h *hostServer) RequestCommit(context.Context, *pb.Empty) (*pb.Empty, error) {
	if h.ktc == nil {
		return nil, wire.Status(errWrongContext)
	}
	h.ktc.RequestCommit()
	return &pb.Empty{}, nil
}

func (h *hostServer) Report(_ context.Context, m *pb.ReportRequest) (*pb.Empty, error) {
	if h.ktc == nil {
		return nil, wire.Status(errWrongContext)
	}
	recs, err := wire.DecodeSinkBatch(m.GetRecord())
	if err != nil || len(recs) != 1 {
		return nil, wire.Status(fmt.Errorf("invalid reported record: %v", err))
	}
	return &pb.Empty{}, wire.Status(h.ktc.ErrantRecordReporter().Report(&recs[0], wire.FromErrorInfo(m.GetError())))
}
