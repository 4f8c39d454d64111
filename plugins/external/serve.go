package external

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/external/internal/pb"
	"github.com/sluicehq/sluice/plugins/external/internal/wire"
)

// Serve runs the given connector plugins in a plugin process: the main
// function of a plugin.path binary is a call to Serve, e.g.
//
//	func main() { external.Serve(counter.Plugin) }
//
// It does not return. Only source and sink connectors can be served: a
// transformation, predicate or converter would cost a process hop per
// record, more than it does; link those into a custom worker binary
// instead. Serve panics, at start, when given one, or a plugin without a
// Class or New, or two with one class.
//
// Started by hand (not by a worker), the binary prints what it is and
// exits; with the argument "spec" it lists the connectors it holds with
// their configuration keys, with "version" their versions.
//
// In the plugin process, the contexts' Logger() and slog.Default write to
// stderr in hclog's JSON format; the worker logs those lines under the
// connector's or task's logger, at their level. Secrets reach the plugin
// only inside the configuration given to Start and Validate.
func Serve(ps ...plugins.Plugin) {
	srv := newServer(ps)
	if os.Getenv(magicCookieKey) != magicCookieValue {
		os.Exit(srv.runByHand(os.Args[1:], os.Stdout))
	}
	stderr := os.Stderr // go-plugin replaces os.Stderr; logs go to the real one
	h := newJSONHandler(stderr)
	srv.log = slog.New(h)
	slog.SetDefault(srv.log)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  handshake,
		VersionedPlugins: pluginSets(srv),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			opts = append(append(opts, serverOptions()...), grpc.ChainUnaryInterceptor(srv.recoverPanics))
			return plugin.DefaultGRPCServer(opts)
		},
		Logger: hclog.New(&hclog.LoggerOptions{Name: "go-plugin", Output: stderr, JSONFormat: true, Level: hclog.Warn}),
	})
	os.Exit(0)
}

// server is the plugin side: it holds the plugins of the binary and, in a
// process started for one connector or task, that instance.
type server struct {
	pb.UnimplementedPluginServer
	plugins map[string]plugins.Plugin
	order   []string
	broker  *plugin.GRPCBroker
	log     *slog.Logger

	mu       sync.Mutex
	class    string
	conn     connectors.Connector
	source   connectors.SourceTask
	sink     connectors.SinkTask
	cancel   context.CancelFunc // of the instance's context
	instance context.Context
	hostConn *grpc.ClientConn
	seq      uint64
	pending  map[uint64]*connectors.SourceRecord // polled, not yet committed
	// The running poll and the highest poll id the worker cancelled.
	pollID        uint64
	pollCancel    context.CancelFunc
	cancelledPoll uint64
	// next is the poll started ahead of the worker's next Poll call (one
	// batch ahead at most); stopping is set by TaskStop, after which the
	// task is polled no more.
	next     *prefetch
	stopping bool
	// taskMu serialises the source task's Poll, Commit and Stop: a
	// prefetched Poll runs while the worker may call Commit.
	taskMu sync.Mutex
}

// prefetch is a source task's Poll made before the worker asked for it.
type prefetch struct {
	id   uint64
	done chan struct{} // closed once b and err are set
	b    *pb.SourceBatch
	err  error
}

func newServer(ps []plugins.Plugin) *server {
	s := &server{plugins: map[string]plugins.Plugin{}, log: slog.New(slog.DiscardHandler)}
	for _, p := range ps {
		switch {
		case p.Class == "" || p.New == nil:
			panic("external.Serve: a plugin needs a Class and New")
		case p.Kind == plugins.Transformation || p.Kind == plugins.Predicate || p.Kind == plugins.Converter || p.Kind == plugins.HeaderConverter:
			panic(fmt.Sprintf("external.Serve: %s is a %s: a plugin.path binary serves only source and sink connectors "+
				"(a process hop per record would cost more than the %s itself); link it into a custom worker with sluicecmd.WithPlugins instead",
				p.Class, p.Kind, p.Kind))
		case p.Kind != plugins.Source && p.Kind != plugins.Sink:
			panic(fmt.Sprintf("external.Serve: %s has unknown kind %q", p.Class, p.Kind))
		}
		if _, dup := s.plugins[p.Class]; dup {
			panic("external.Serve: " + p.Class + " given twice")
		}
		s.plugins[p.Class] = p
		s.order = append(s.order, p.Class)
	}
	return s
}

// runByHand answers a user who started the binary directly.
func (s *server) runByHand(args []string, w io.Writer) int {
	d := s.describe()
	switch {
	case len(args) == 1 && args[0] == "version":
		for _, c := range d.Connectors {
			fmt.Fprintf(w, "%s %s\n", c.Class, c.Version)
		}
		return 0
	case len(args) == 1 && (args[0] == "spec" || args[0] == "specification"):
		for _, c := range d.Connectors {
			fmt.Fprintf(w, "%s (%s connector, version %s)\n", c.Class, c.Kind, c.Version)
			for _, k := range c.Keys {
				def := "required"
				if !k.Required {
					def = "default " + k.Default
					if k.DefaultNull {
						def = "default null"
					}
				}
				fmt.Fprintf(w, "  %s (%s, %s, %s): %s\n", k.Name, k.Type, strings.ToLower(k.Importance), def, k.Doc)
			}
		}
		return 0
	}
	fmt.Fprintf(w, "This is a sluice connector plugin. It holds:\n")
	for _, c := range d.Connectors {
		fmt.Fprintf(w, "  %s (%s connector, version %s)\n", c.Class, c.Kind, c.Version)
	}
	fmt.Fprintf(w, "Put it in a directory of a sluice worker's plugin.path; the worker starts it.\n"+
		"Arguments: spec (the connectors and their configuration keys), version.\n")
	if len(args) > 0 {
		return 2
	}
	return 0
}

func (s *server) describe() *pb.Description {
	d := &pb.Description{}
	for _, class := range s.order {
		p := s.plugins[class]
		spec := &pb.ConnectorSpec{Class: p.Class, Kind: string(p.Kind), Version: p.Version, Aliases: p.Aliases}
		inst := p.New()
		if v, ok := inst.(connectors.Versioned); ok && spec.Version == "" {
			spec.Version = v.Version()
		}
		if c, ok := inst.(connectors.Connector); ok {
			spec.Keys = wire.ConfigKeys(c.Config())
		}
		_, spec.Validator = inst.(connectors.Validator)
		_, spec.LiveValidator = inst.(connectors.LiveValidator)
		_, spec.SecretHolder = inst.(connectors.SecretHolder)
		if f, ok := inst.(connectors.FileUser); ok {
			spec.FileUser, spec.FileKeys = true, f.FileKeys()
		}
		switch c := inst.(type) {
		case connectors.SourceConnector:
			_, spec.OffsetAlterer = inst.(connectors.SourceOffsetAlterer)
			t := c.NewTask()
			_, spec.TaskCommitter = t.(connectors.Committer)
			_, spec.TaskRecordCommitter = t.(connectors.RecordCommitter)
		case connectors.SinkConnector:
			_, spec.OffsetAlterer = inst.(connectors.SinkOffsetAlterer)
			_, spec.TaskPreCommitter = c.NewTask().(connectors.PreCommitter)
		}
		d.Connectors = append(d.Connectors, spec)
	}
	return d
}

// recoverPanics turns a panic in connector code into an error of the call
// (and an ERROR line with the stack), as the worker does for linked-in
// connectors, instead of killing the process.
func (s *server) recoverPanics(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer s.recoverPanic(info.FullMethod[strings.LastIndexByte(info.FullMethod, '/')+1:], &err)
	return handler(ctx, req)
}

// recoverPanic, deferred, turns a panic in method into *err.
func (s *server) recoverPanic(method string, err *error) {
	if r := recover(); r != nil {
		s.log.Error(fmt.Sprintf("panic in %s: %v", method, r), "stack", string(debug.Stack()))
		*err = wire.Status(fmt.Errorf("%s panicked: %v", method, r))
	}
}

func (s *server) newConnector(class string) (connectors.Connector, error) {
	p, ok := s.plugins[class]
	if !ok {
		return nil, fmt.Errorf("this plugin binary has no connector %s", class)
	}
	c, ok := p.New().(connectors.Connector)
	if !ok {
		return nil, fmt.Errorf("plugin %s is not a connector", class)
	}
	return c, nil
}

func (s *server) Describe(context.Context, *pb.Empty) (*pb.Description, error) {
	return s.describe(), nil
}

func (s *server) Validate(_ context.Context, req *pb.ValidateRequest) (*pb.ValidateResponse, error) {
	c, err := s.newConnector(req.Class)
	if err != nil {
		return nil, wire.Status(err)
	}
	var rs []config.Result
	if v, ok := c.(connectors.Validator); ok {
		rs = v.Validate(req.Props)
	} else {
		rs = c.Config().Validate(req.Props)
	}
	return wire.Results(rs), nil
}

func (s *server) ValidateLive(ctx context.Context, req *pb.ValidateRequest) (*pb.ValidateResponse, error) {
	c, err := s.newConnector(req.Class)
	if err != nil {
		return nil, wire.Status(err)
	}
	v, ok := c.(connectors.LiveValidator)
	if !ok {
		return &pb.ValidateResponse{}, nil
	}
	return wire.Results(v.ValidateLive(ctx, req.Props)), nil
}

func (s *server) EmbeddedSecrets(_ context.Context, req *pb.ValidateRequest) (*pb.Strings, error) {
	c, err := s.newConnector(req.Class)
	if err != nil {
		return nil, wire.Status(err)
	}
	if h, ok := c.(connectors.SecretHolder); ok {
		return &pb.Strings{Values: h.EmbeddedSecrets(req.Props)}, nil
	}
	return &pb.Strings{}, nil
}

func (s *server) AlterOffsets(ctx context.Context, req *pb.AlterOffsetsRequest) (*pb.AlterOffsetsResponse, error) {
	c, err := s.newConnector(req.Class)
	if err != nil {
		return nil, wire.Status(err)
	}
	var handled bool
	switch a := c.(type) {
	case connectors.SourceOffsetAlterer:
		offs := make([]connectors.SourceOffset, len(req.Source))
		for i, so := range req.Source {
			if offs[i].Partition, err = wire.DecodeOffsetMap(so.Partition); err == nil {
				offs[i].Offset, err = wire.DecodeOffsetMap(so.Offset)
			}
			if err != nil {
				return nil, wire.Status(err)
			}
		}
		handled, err = a.AlterOffsets(ctx, req.Props, offs)
	case connectors.SinkOffsetAlterer:
		offs := map[connectors.TopicPartition]*int64{}
		for _, po := range req.Sink {
			tp := connectors.TopicPartition{Topic: po.GetTp().GetTopic(), Partition: po.GetTp().GetPartition()}
			offs[tp] = nil
			if po.HasOffset {
				o := po.Offset
				offs[tp] = &o
			}
		}
		handled, err = a.AlterOffsets(ctx, req.Props, offs)
	default:
		return nil, wire.Status(fmt.Errorf("connector %s does not alter offsets", req.Class))
	}
	if err != nil {
		return nil, wire.Status(err)
	}
	return &pb.AlterOffsetsResponse{Handled: handled}, nil
}

// begin makes the process's single instance: it dials the worker's
// callback server and returns the instance's context (it lives until Stop;
// the Start call's cancellation cancels it too) and the host client.
func (s *server) begin(rpcCtx context.Context, req *pb.StartRequest) (context.Context, pb.HostClient, func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.class != "" {
		return nil, nil, nil, fmt.Errorf("this plugin process already runs %s", s.class)
	}
	conn, err := s.broker.Dial(req.HostBrokerId)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("connecting back to the worker: %w", err)
	}
	s.class, s.hostConn = req.Class, conn
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.instance = cancel, ctx
	stop := context.AfterFunc(rpcCtx, cancel)
	return ctx, pb.NewHostClient(conn), func() { stop() }, nil
}

func (s *server) setLogger(inst any) {
	if l, ok := inst.(connectors.Logging); ok {
		l.SetLogger(s.log)
	}
}

func (s *server) ConnectorStart(rpcCtx context.Context, req *pb.StartRequest) (*pb.Empty, error) {
	c, err := s.newConnector(req.Class)
	if err != nil {
		return nil, wire.Status(err)
	}
	ctx, host, done, err := s.begin(rpcCtx, req)
	if err != nil {
		return nil, wire.Status(err)
	}
	defer done()
	s.mu.Lock()
	s.conn = c
	s.mu.Unlock()
	s.setLogger(c)
	return &pb.Empty{}, wire.Status(c.Start(ctx, &connectorContext{host: host, log: s.log}, req.Props))
}

func (s *server) TaskConfigs(_ context.Context, req *pb.TaskConfigsRequest) (*pb.TaskConfigsResponse, error) {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return nil, wire.Status(errors.New("connector not started"))
	}
	cfgs, err := c.TaskConfigs(int(req.MaxTasks))
	if err != nil {
		return nil, wire.Status(err)
	}
	out := &pb.TaskConfigsResponse{Configs: make([]*pb.StringMap, len(cfgs))}
	for i, m := range cfgs {
		out.Configs[i] = &pb.StringMap{Entries: m}
	}
	return out, nil
}

func (s *server) ConnectorStop(ctx context.Context, _ *pb.Empty) (*pb.Empty, error) {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		return &pb.Empty{}, nil
	}
	err := c.Stop(ctx)
	s.end()
	return &pb.Empty{}, wire.Status(err)
}

// Wait returns when the instance has stopped (or the worker gave up).
func (s *server) Wait(ctx context.Context, _ *pb.Empty) (*pb.Empty, error) {
	s.mu.Lock()
	inst := s.instance
	s.mu.Unlock()
	if inst == nil {
		return nil, wire.Status(errors.New("nothing runs in this process"))
	}
	select {
	case <-inst.Done():
	case <-ctx.Done():
	}
	return &pb.Empty{}, nil
}

func (s *server) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
	}
}

func (s *server) SourceTaskStart(rpcCtx context.Context, req *pb.StartRequest) (*pb.Empty, error) {
	c, err := s.newConnector(req.Class)
	if err != nil {
		return nil, wire.Status(err)
	}
	sc, ok := c.(connectors.SourceConnector)
	if !ok {
		return nil, wire.Status(fmt.Errorf("%s is not a source connector", req.Class))
	}
	t := sc.NewTask()
	ctx, host, done, err := s.begin(rpcCtx, req)
	if err != nil {
		return nil, wire.Status(err)
	}
	defer done()
	s.mu.Lock()
	s.source = t
	s.mu.Unlock()
	s.setLogger(t)
	return &pb.Empty{}, wire.Status(t.Start(ctx, &sourceContext{host: host, log: s.log}, req.Props))
}

// CancelPoll cancels the poll numbered req.Id, even if it has not started
// yet.
func (s *server) CancelPoll(_ context.Context, req *pb.PollRequest) (*pb.Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancelledPoll = max(s.cancelledPoll, req.Id)
	if s.pollID == req.Id && s.pollCancel != nil {
		s.pollCancel()
	}
	return &pb.Empty{}, nil
}

// Poll answers the worker's Poll number req.Id. The task's Poll runs one
// batch ahead: when a Poll returned records without an error (and was not
// cancelled), the next one starts at once, in the background, so that it
// polls and encodes while the worker converts and produces this batch; the
// worker's next call then takes its result, in order, error included.
// While the worker does not ask (a pause), nothing more is polled; a batch
// polled ahead and never asked for is dropped by TaskStop, its offsets
// never committed, as Kafka Connect drops records polled but not sent when
// a task stops.
func (s *server) Poll(rpcCtx context.Context, req *pb.PollRequest) (*pb.SourceBatch, error) {
	s.mu.Lock()
	if s.source == nil {
		s.mu.Unlock()
		return nil, wire.Status(errors.New("source task not started"))
	}
	pf := s.next
	s.next = nil
	switch {
	case pf == nil:
		pf = s.startPoll(req.Id, req.TimeoutMillis)
	case pf.id != req.Id:
		// The worker numbers its calls one by one, so this does not
		// happen; were it to, the batch polled ahead still comes next,
		// answering to this call's number.
		if s.pollID == pf.id {
			s.pollID = req.Id
		}
		if req.Id <= s.cancelledPoll && s.pollCancel != nil {
			s.pollCancel()
		}
		pf.id = req.Id
	}
	s.mu.Unlock()
	select {
	case <-pf.done:
	case <-rpcCtx.Done(): // the worker gave up on the call
		return nil, wire.Status(rpcCtx.Err())
	}
	if pf.err == nil && pf.b.Error == nil {
		s.mu.Lock()
		if !s.stopping && req.Id > s.cancelledPoll && s.next == nil {
			s.next = s.startPoll(req.Id+1, req.TimeoutMillis)
		}
		s.mu.Unlock()
	}
	return pf.b, pf.err
}

// startPoll starts the task's Poll number id on a goroutine of its own.
// s.mu is held.
func (s *server) startPoll(id uint64, timeoutMillis int64) *prefetch {
	pf := &prefetch{id: id, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	if timeoutMillis > 0 {
		ctx, cancel = context.WithTimeout(context.Background(), time.Duration(timeoutMillis)*time.Millisecond)
	}
	if id <= s.cancelledPoll || s.stopping {
		cancel()
	}
	if s.pollCancel != nil {
		s.pollCancel() // releases the previous poll's context; it has returned
	}
	s.pollID, s.pollCancel = id, cancel
	t := s.source
	go func() {
		defer close(pf.done)
		pf.b, pf.err = s.poll(ctx, t)
	}()
	return pf
}

// poll runs the task's Poll and encodes what it returns.
func (s *server) poll(ctx context.Context, t connectors.SourceTask) (*pb.SourceBatch, error) {
	s.taskMu.Lock()
	s.mu.Lock()
	stopping := s.stopping
	s.mu.Unlock()
	if stopping {
		s.taskMu.Unlock()
		return &pb.SourceBatch{}, nil
	}
	recs, err := s.pollTask(ctx, t)
	s.taskMu.Unlock()
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && errors.Is(err, context.DeadlineExceeded) {
		// The deadline is the worker's (its next offset flush, sent as the
		// request's timeout), not the task's: a wait of the task that ran
		// into it is no failure, as the runtime has it for a linked-in task.
		// The error itself cannot say so across the process (it arrives as
		// text), so it is dropped here; what the task returned goes.
		err = nil
	}
	if err != nil && len(recs) == 0 {
		return nil, wire.Status(err)
	}
	s.mu.Lock()
	first := s.seq
	s.seq += uint64(len(recs))
	if _, ok := t.(connectors.RecordCommitter); ok && len(recs) > 0 {
		if s.pending == nil {
			s.pending = map[uint64]*connectors.SourceRecord{}
		}
		for i := range recs {
			s.pending[first+uint64(i)] = &recs[i]
		}
	}
	s.mu.Unlock()
	b, eerr := wire.EncodeSourceBatch(recs, first)
	if eerr == nil && proto.Size(b) > maxMessageBytes-1024 {
		eerr = fmt.Errorf("its schemas and records take %d bytes, more than the %d a batch may carry", proto.Size(b), maxMessageBytes)
	}
	if eerr != nil {
		return nil, wire.Status(fmt.Errorf("Poll returned records the worker cannot take (%w); return smaller batches", eerr))
	}
	if err != nil {
		b.Error = wire.ErrorInfo(err) // records and an error: both go
	}
	return b, nil
}

// pollTask calls the task's Poll, turning a panic into an error: it runs
// on a goroutine of its own, out of reach of the server's recoverPanics.
func (s *server) pollTask(ctx context.Context, t connectors.SourceTask) (recs []connectors.SourceRecord, err error) {
	defer s.recoverPanic("Poll", &err)
	return t.Poll(ctx)
}

// stopPolling ends polling ahead before the task's Stop: a Poll still
// running is cancelled and awaited (Stop only follows the last Poll), and
// what it returned is dropped.
func (s *server) stopPolling(ctx context.Context) error {
	s.mu.Lock()
	s.stopping = true
	pf := s.next
	s.next = nil
	if pf != nil {
		s.cancelledPoll = max(s.cancelledPoll, pf.id)
		if s.pollID == pf.id && s.pollCancel != nil {
			s.pollCancel()
		}
	}
	s.mu.Unlock()
	if pf == nil {
		return nil
	}
	select {
	case <-pf.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the Poll made ahead did not return after its cancellation: %w", ctx.Err())
	}
}

func (s *server) CommitRecords(_ context.Context, req *pb.Acks) (*pb.Empty, error) {
	s.mu.Lock()
	rc, _ := s.source.(connectors.RecordCommitter)
	recs := make([]*connectors.SourceRecord, len(req.Acks))
	for i, a := range req.Acks {
		recs[i] = s.pending[a.Seq]
		delete(s.pending, a.Seq)
	}
	s.mu.Unlock()
	if rc == nil {
		return &pb.Empty{}, nil
	}
	for i, a := range req.Acks {
		if recs[i] == nil {
			continue
		}
		var md *connectors.RecordMetadata
		if a.HasMetadata {
			md = &connectors.RecordMetadata{Topic: a.Topic, Partition: a.Partition, Offset: a.Offset}
			if a.Timestamp != nil {
				md.Timestamp = time.Unix(a.Timestamp.Seconds, int64(a.Timestamp.Nanos)).UTC()
			}
		}
		if err := rc.CommitRecord(recs[i], md); err != nil {
			s.log.Warn("commit record", "err", err)
		}
	}
	return &pb.Empty{}, nil
}

func (s *server) Commit(ctx context.Context, _ *pb.Empty) (*pb.Empty, error) {
	s.mu.Lock()
	c, _ := s.source.(connectors.Committer)
	s.mu.Unlock()
	if c == nil {
		return &pb.Empty{}, nil
	}
	// Never during the task's Poll: it may be one made ahead.
	s.taskMu.Lock()
	defer s.taskMu.Unlock()
	return &pb.Empty{}, wire.Status(c.Commit(ctx))
}

func (s *server) SinkTaskStart(rpcCtx context.Context, req *pb.StartRequest) (*pb.Empty, error) {
	c, err := s.newConnector(req.Class)
	if err != nil {
		return nil, wire.Status(err)
	}
	sc, ok := c.(connectors.SinkConnector)
	if !ok {
		return nil, wire.Status(fmt.Errorf("%s is not a sink connector", req.Class))
	}
	t := sc.NewTask()
	ctx, host, done, err := s.begin(rpcCtx, req)
	if err != nil {
		return nil, wire.Status(err)
	}
	defer done()
	s.mu.Lock()
	s.sink = t
	s.mu.Unlock()
	s.setLogger(t)
	return &pb.Empty{}, wire.Status(t.Start(ctx, &sinkContext{host: host, log: s.log}, req.Props))
}

func (s *server) sinkTask() (connectors.SinkTask, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sink == nil {
		return nil, errors.New("sink task not started")
	}
	return s.sink, nil
}

func (s *server) Open(ctx context.Context, req *pb.Partitions) (*pb.Empty, error) {
	t, err := s.sinkTask()
	if err == nil {
		err = t.Open(ctx, wire.FromPartitions(req))
	}
	return &pb.Empty{}, wire.Status(err)
}

func (s *server) Close(ctx context.Context, req *pb.Partitions) (*pb.Empty, error) {
	t, err := s.sinkTask()
	if err == nil {
		err = t.Close(ctx, wire.FromPartitions(req))
	}
	return &pb.Empty{}, wire.Status(err)
}

func (s *server) Put(ctx context.Context, req *pb.SinkBatch) (*pb.Empty, error) {
	t, err := s.sinkTask()
	if err != nil {
		return nil, wire.Status(err)
	}
	recs, err := wire.DecodeSinkBatch(req)
	if err != nil {
		return nil, wire.Status(fmt.Errorf("decoding the batch from the worker: %w", err))
	}
	return &pb.Empty{}, wire.Status(t.Put(ctx, recs))
}

func (s *server) Flush(ctx context.Context, req *pb.Offsets) (*pb.Empty, error) {
	t, err := s.sinkTask()
	if err == nil {
		err = t.Flush(ctx, wire.FromOffsets(req))
	}
	return &pb.Empty{}, wire.Status(err)
}

func (s *server) PreCommit(ctx context.Context, req *pb.Offsets) (*pb.Offsets, error) {
	t, err := s.sinkTask()
	if err != nil {
		return nil, wire.Status(err)
	}
	pc, ok := t.(connectors.PreCommitter)
	if !ok {
		return nil, wire.Status(errors.New("the sink task has no PreCommit"))
	}
	offs, err := pc.PreCommit(ctx, wire.FromOffsets(req))
	if err != nil {
		return nil, wire.Status(err)
	}
	return wire.Offsets(offs), nil
}

func (s *server) TaskStop(ctx context.Context, _ *pb.Empty) (*pb.Empty, error) {
	s.mu.Lock()
	src, snk := s.source, s.sink
	s.mu.Unlock()
	var err error
	switch {
	case src != nil:
		if err = s.stopPolling(ctx); err != nil {
			break
		}
		s.taskMu.Lock()
		err = src.Stop(ctx)
		s.taskMu.Unlock()
	case snk != nil:
		err = snk.Stop(ctx)
	}
	s.end()
	return &pb.Empty{}, wire.Status(err)
}

// callTimeout bounds a context method's call back to the worker.
const callTimeout = 30 * time.Second

type connectorContext struct {
	host pb.HostClient
	log  *slog.Logger
}

func (c *connectorContext) RequestTaskReconfiguration() {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if _, err := c.host.RequestTaskReconfiguration(ctx, &pb.Empty{}); err != nil {
		c.log.Warn("RequestTaskReconfiguration did not reach the worker", "err", err)
	}
}

func (c *connectorContext) RaiseError(err error) {
	if err == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if _, cerr := c.host.RaiseError(ctx, wire.ErrorInfo(err)); cerr != nil {
		c.log.Warn("RaiseError did not reach the worker", "err", cerr, "raised", err)
	}
}

func (c *connectorContext) Logger() *slog.Logger { return c.log }

type sourceContext struct {
	host pb.HostClient
	log  *slog.Logger
}

func (c *sourceContext) Offsets() connectors.OffsetReader { return offsetReader{c.host} }
func (c *sourceContext) Logger() *slog.Logger             { return c.log }

type offsetReader struct{ host pb.HostClient }

func (r offsetReader) Offset(ctx context.Context, partition map[string]any) (map[string]any, error) {
	pm, err := wire.EncodeOffsetMap(partition)
	if err != nil {
		return nil, fmt.Errorf("source partition: %w", err)
	}
	m, err := r.host.Offset(ctx, &pb.OffsetRequest{Partition: pm})
	if err != nil {
		return nil, hostError(err)
	}
	return wire.DecodeOffsetMap(m)
}

// hostError returns the worker's error with its class.
func hostError(err error) error {
	e, _ := wire.FromStatus(err)
	return e
}

type sinkContext struct {
	host pb.HostClient
	log  *slog.Logger
}

func (c *sinkContext) call(name string, f func(ctx context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if err := f(ctx); err != nil {
		c.log.Warn(name+" did not reach the worker", "err", err)
	}
}

func (c *sinkContext) Offset(tp connectors.TopicPartition, offset int64) {
	c.call("Offset", func(ctx context.Context) error {
		_, err := c.host.SeekOffset(ctx, &pb.PartitionOffset{Tp: &pb.TopicPartition{Topic: tp.Topic, Partition: tp.Partition}, HasOffset: true, Offset: offset})
		return err
	})
}

func (c *sinkContext) Timeout(d time.Duration) {
	c.call("Timeout", func(ctx context.Context) error {
		_, err := c.host.Timeout(ctx, &pb.TimeoutRequest{Millis: d.Milliseconds()})
		return err
	})
}

func (c *sinkContext) Assignment() []connectors.TopicPartition {
	var out []connectors.TopicPartition
	c.call("Assignment", func(ctx context.Context) error {
		m, err := c.host.Assignment(ctx, &pb.Empty{})
		out = wire.FromPartitions(m)
		sort.Slice(out, func(i, j int) bool {
			return out[i].Topic < out[j].Topic || out[i].Topic == out[j].Topic && out[i].Partition < out[j].Partition
		})
		return err
	})
	return out
}

func (c *sinkContext) Pause(tps ...connectors.TopicPartition) {
	c.call("Pause", func(ctx context.Context) error {
		_, err := c.host.Pause(ctx, wire.Partitions(tps))
		return err
	})
}

func (c *sinkContext) Resume(tps ...connectors.TopicPartition) {
	c.call("Resume", func(ctx context.Context) error {
		_, err := c.host.Resume(ctx, wire.Partitions(tps))
		return err
	})
}

func (c *sinkContext) RequestCommit() {
	c.call("RequestCommit", func(ctx context.Context) error {
		_, err := c.host.RequestCommit(ctx, &pb.Empty{})
		return err
	})
}

func (c *sinkContext) ErrantRecordReporter() connectors.ErrantRecordReporter {
	return reporter{c.host}
}

func (c *sinkContext) Logger() *slog.Logger { return c.log }

type reporter struct{ host pb.HostClient }

func (r reporter) Report(rec *connectors.SinkRecord, err error) error {
	if rec == nil {
		return errors.New("report of a nil record")
	}
	if err == nil {
		err = errors.New("reported without an error")
	}
	b, eerr := wire.EncodeSinkBatch([]connectors.SinkRecord{*rec})
	if eerr != nil {
		return fmt.Errorf("encoding the reported record: %w", eerr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if _, rerr := r.host.Report(ctx, &pb.ReportRequest{Record: b, Error: wire.ErrorInfo(err)}); rerr != nil {
		return hostError(rerr)
	}
	return nil
}
