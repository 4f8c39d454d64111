package mysqlcdc

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// freezingProxy forwards TCP connections to a server; freeze makes the
// connections open at that moment go silent both ways without closing
// them, as a network partition or a hung server does. Connections opened
// later are forwarded.
type freezingProxy struct {
	l      net.Listener
	mu     sync.Mutex
	frozen map[net.Conn]chan struct{} // closed when the connection freezes
}

func newFreezingProxy(t *testing.T, target string) *freezingProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezingProxy{l: l, frozen: map[net.Conn]chan struct{}{}}
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			freeze := make(chan struct{})
			p.mu.Lock()
			p.frozen[in] = freeze
			conns = append(conns, in, out)
			p.mu.Unlock()
			go pipe(out, in, freeze)
			go pipe(in, out, freeze)
		}
	}()
	return p
}

// pipe copies src to dst until either fails or freeze is closed; then it
// holds both open.
func pipe(dst io.Writer, src io.Reader, freeze chan struct{}) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		select {
		case <-freeze:
			return
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// freeze silences every connection open now.
func (p *freezingProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c, f := range p.frozen {
		close(f)
		delete(p.frozen, c)
	}
}

// TestSilentConnectionReconnects: a binlog connection that goes silent
// (no event, no heartbeat, not closed) is taken as dead after twice the
// keep-alive interval and 5 s, and the task reconnects and goes on from
// where it was.
// With heartbeat.interval.ms far longer than that limit, the silence is
// still noticed at the limit, not at the next heartbeat.
func TestSilentConnectionReconnects(t *testing.T) {
	for _, hb := range []string{"0", "120000"} {
		t.Run("heartbeat.interval.ms="+hb, func(t *testing.T) { silentConnectionReconnects(t, hb) })
	}
}

func silentConnectionReconnects(t *testing.T, heartbeat string) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY)")
	p := newFreezingProxy(t, d.Addr)
	_, port, _ := net.SplitHostPort(p.l.Addr().String())
	h := newHarness(t, d, map[string]string{SnapshotModeKey: "no_data", HostnameKey: "127.0.0.1", PortKey: port,
		KeepAliveIntervalKey: "1000", HeartbeatIntervalKey: heartbeat})
	h.startStreaming()
	d.Exec(t, "INSERT INTO t VALUES (1)")
	h.poll(1, dataTopic(d, "t"))
	p.freeze()
	frozen := time.Now()
	d.Exec(t, "INSERT INTO t VALUES (2)")
	got := h.poll(1, dataTopic(d, "t"))
	waited := time.Since(frozen)
	env, ok := got[0].Value.(*schemas.Struct)
	if !ok {
		t.Fatalf("the event after the silence has value %T, want a struct", got[0].Value)
	}
	if after, _ := env.Get("after").(*schemas.Struct); after == nil || after.Get("id") != int64(2) {
		t.Fatalf("the event after the silence is %v, want row 2's insert", env)
	}
	// Taken as dead after 2×1 s + 5 s of silence, not earlier: row 2 came
	// through the new connection.
	if waited < 7*time.Second {
		t.Fatalf("row 2 arrived %s after the freeze: the frozen connection was not the one read", waited)
	}
	t.Logf("row 2 arrived %s after the connection went silent", waited.Round(time.Millisecond))
}
