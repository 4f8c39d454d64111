package mysqlcdc

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/history"
	"github.com/sluicehq/sluice/internal/testkit"
)

// gateProxy forwards TCP connections to a server while open, and closes
// new ones at once while shut (a server that is briefly unreachable).
type gateProxy struct {
	ln     net.Listener
	target string
	open   atomic.Bool
	closed atomic.Int32 // connections refused while shut
	wg     sync.WaitGroup
}

func newGateProxy(t *testing.T, target string) *gateProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &gateProxy{ln: ln, target: target}
	p.open.Store(true)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !p.open.Load() {
				p.closed.Add(1)
				_ = c.Close()
				continue
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.wg.Add(2)
			go func() { defer p.wg.Done(); _, _ = io.Copy(s, c); _ = s.Close() }()
			go func() { defer p.wg.Done(); _, _ = io.Copy(c, s); _ = c.Close() }()
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return p
}

// gatedHistory is the harness's history that shuts the proxy when the
// reader recovers the schema: the reader's first binlog connection then
// fails.
type gatedHistory struct {
	*memHistory
	onRecover func()
}

func (g gatedHistory) Recover(ctx context.Context, o map[string]any, apply func(history.Record) error) error {
	g.onRecover()
	return g.memHistory.Recover(ctx, o, apply)
}

// inChild runs the test body in a child process (the test binary run
// again for this test only) so that a panic of the task's goroutine fails
// this test, not the whole package's run.
func inChild(t *testing.T, body func(t *testing.T)) {
	t.Helper()
	if os.Getenv("SLUICE_REVIEW_CHILD") == t.Name() {
		body(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "SLUICE_REVIEW_CHILD="+t.Name())
	out, err := cmd.CombinedOutput()
	if err != nil {
		s := string(out)
		if i := strings.Index(s, "panic:"); i >= 0 {
			s = s[i:]
		} else if len(s) > 4000 {
			s = s[len(s)-4000:]
		}
		t.Fatalf("the test's process failed (%v):\n%s", err, s)
	}
}

// TestFirstBinlogConnectFails: the reader's first binlog connection
// fails with a network error (the server unreachable for a moment after
// the task started). The task must retry with backoff and stream once the
// server is back, not crash the worker: stream() asks t.pos (nil before
// the first connection succeeded) where to resume.
func TestFirstBinlogConnectFails(t *testing.T) {
	inChild(t, func(t *testing.T) {
		d := testkit.NewDatabase(t)
		d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))")
		h := newHarness(t, d, nil)
		h.startStreaming()
		d.Exec(t, "INSERT INTO t VALUES (1,'a')")
		h.poll(1, dataTopic(d, "t"))
		h.stop()

		p := newGateProxy(t, d.Addr)
		host, port, _ := net.SplitHostPort(p.ln.Addr().String())
		h.props[HostnameKey], h.props[PortKey] = host, port
		h.task = &Task{classFlavor: MariaDB, newHistory: func(map[string]string, Flavor, *slog.Logger) (historyStore, error) {
			return gatedHistory{h.hist, func() { p.open.Store(false) }}, nil
		}}
		if err := h.task.Start(t.Context(), taskContext{t: t, offsets: h.offsets}, h.props); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(h.stop)
		deadline := time.Now().Add(30 * time.Second)
		for p.closed.Load() == 0 { // the reader's binlog connection was refused
			if time.Now().After(deadline) {
				t.Fatal("the reader never tried to connect")
			}
			time.Sleep(10 * time.Millisecond)
		}
		p.open.Store(true)
		d.Exec(t, "INSERT INTO t VALUES (2,'b')")
		if got := h.poll(1, dataTopic(d, "t")); ids(t, got) != "c2" {
			t.Fatalf("after the server came back: %s", ids(t, got))
		}
	})
}
