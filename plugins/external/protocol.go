package external

import (
	"context"
	"strconv"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/sluicehq/sluice/plugins/external/internal/pb"
)

// ProtocolVersion is the version of the worker–plugin protocol this package
// speaks. A worker and a plugin built against sluice versions that speak
// different protocol versions do not load each other's plugins: the worker
// logs a WARN naming the binary and both versions.
const ProtocolVersion = 1

// The go-plugin handshake. The cookie only tells a plugin binary that a
// worker started it (a user running it by hand gets an explanation); it is
// no security measure.
const (
	magicCookieKey   = "SLUICE_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "6b1f4e0c2a93d7581fe0c4b8a2d95e3370c1a6f8d24b9e05c7f3a1d8e6b2094c"
	pluginName       = "connectors"
)

// maxMessageBytes bounds one gRPC message each way: a batch of records, a
// validation answer. A plugin that sends more fails the call with a clear
// error instead of exhausting the worker's memory.
const maxMessageBytes = 64 << 20

// Transport settings of the connection to a plugin process, a local
// socket carrying batches of records: flow-control windows large enough
// for a batch to go without waiting for window updates (fixed, not probed),
// and larger socket buffers. No compression: it costs more CPU than the
// local socket saves.
const (
	streamWindowBytes = 8 << 20
	connWindowBytes   = 32 << 20
	socketBufferBytes = 1 << 20
)

// dialOptions are the worker's options for its connection to a plugin.
func dialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessageBytes), grpc.MaxCallSendMsgSize(maxMessageBytes)),
		grpc.WithInitialWindowSize(streamWindowBytes), grpc.WithInitialConnWindowSize(connWindowBytes),
		grpc.WithWriteBufferSize(socketBufferBytes), grpc.WithReadBufferSize(socketBufferBytes),
	}
}

// serverOptions are the plugin's options for the worker's connection.
func serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(maxMessageBytes), grpc.MaxSendMsgSize(maxMessageBytes),
		grpc.InitialWindowSize(streamWindowBytes), grpc.InitialConnWindowSize(connWindowBytes),
		grpc.WriteBufferSize(socketBufferBytes), grpc.ReadBufferSize(socketBufferBytes),
	}
}

// describeTimeout bounds starting a plugin binary and describing it at
// start-up; startTimeout bounds starting the process of an instance.
const (
	describeTimeout = 10 * time.Second
	startTimeout    = 30 * time.Second
)

// stopTimeout is how long a plugin's Stop may take when the worker's
// context sets no deadline, and how long a Poll may run on once its context
// is done, before the worker gives up on the call and kills the process: a
// hung plugin must not hold a task (or the worker's shutdown) forever. It
// is the default of Kafka Connect's task.shutdown.graceful.timeout.ms.
const stopTimeout = 5 * time.Second

// describeParallelism is how many binaries describe themselves at once at
// start-up.
const describeParallelism = 4

var handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   magicCookieKey,
	MagicCookieValue: magicCookieValue,
}

// grpcPlugin is the go-plugin glue on both sides: the plugin side serves
// srv, the worker side gets a *remote.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	srv *server
}

func (p *grpcPlugin) GRPCServer(broker *plugin.GRPCBroker, s *grpc.Server) error {
	p.srv.broker = broker
	pb.RegisterPluginServer(s, p.srv)
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &remote{rpc: pb.NewPluginClient(c), broker: broker}, nil
}

// remote is the worker's handle on a plugin process's gRPC services.
type remote struct {
	rpc    pb.PluginClient
	broker *plugin.GRPCBroker
}

// servedVersion, when set at link time (-ldflags -X), makes a plugin
// binary claim another protocol version: the tests use it to build an
// incompatible plugin.
var servedVersion string

func pluginSets(srv *server) map[int]plugin.PluginSet {
	v := ProtocolVersion
	if srv != nil && servedVersion != "" {
		if n, err := strconv.Atoi(servedVersion); err == nil {
			v = n
		}
	}
	return map[int]plugin.PluginSet{v: {pluginName: &grpcPlugin{srv: srv}}}
}
