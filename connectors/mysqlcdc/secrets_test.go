package mysqlcdc

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/events"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/incremental"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// TestPasswordNeverShown: a wrong password, or a server that refuses the
// connection, fails the task's start and the live validation with an
// error that says what is wrong (access denied, connection refused, on
// the right keys), and neither the error (the status trace is made from
// it) nor any log line shows the password.
func TestPasswordNeverShown(t *testing.T) {
	d := testkit.NewDatabase(t)
	const wrong = "Wr0ng-p@ss:word/with?dsn=chars"
	_, port, _ := net.SplitHostPort(d.Addr)
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_, p, _ := net.SplitHostPort(l.Addr().String())
		_ = l.Close()
		return p
	}()
	tests := []struct {
		name     string
		password string
		port     string
		says     string
		keys     []string // ValidateLive's keys with an error
	}{
		{"wrong password", wrong, port, "Access denied", []string{UserKey, PasswordKey}},
		{"connection refused", d.Password, closed, "connection refused", []string{HostnameKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, d, map[string]string{PasswordKey: tt.password, PortKey: tt.port, ConnectTimeoutKey: "2000"})
			logs := &testkit.LogBuffer{}
			task := &Task{classFlavor: MariaDB, newHistory: h.historyFactory()}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := task.Start(ctx, taskContext{offsets: h.offsets, logs: logs}, h.props)
			if err == nil {
				_ = task.Stop(ctx)
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("Start: %v, want it to say %q", err, tt.says)
			}
			shown := []string{"Start: " + err.Error(), "logs: " + logs.String()}
			got := map[string]bool{}
			for _, r := range NewMariaDB().ValidateLive(ctx, h.props) {
				for _, e := range r.Errors {
					got[r.Name] = true
					shown = append(shown, "ValidateLive "+r.Name+": "+e)
				}
			}
			for _, k := range tt.keys {
				if !got[k] {
					t.Errorf("ValidateLive has no error on %s: %q", k, shown[2:])
				}
			}
			for _, s := range shown {
				for _, pw := range []string{wrong, d.Password} {
					if pw != "" && strings.Contains(s, pw) {
						t.Errorf("the password shows in %s", s)
					}
				}
			}
		})
	}
}

// TestPasswordNeverShownOnReconnect: the user's password changes while the
// task streams and the binlog connection is lost: the reconnects fail with
// access denied, and neither their log lines nor the error the task may
// end with show the old or the new password (go-mysql's errors and its
// logging of the syncer's configuration included).
func TestPasswordNeverShownOnReconnect(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY)")
	user := "hostile_" + d.Name[len(d.Name)-8:]
	const oldPW, newPW = "hostile-Old-Secret-7", "hostile-New-Secret-8"
	d.Exec(t, fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", user, oldPW),
		fmt.Sprintf("GRANT SELECT, RELOAD, SHOW DATABASES, LOCK TABLES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '%s'@'%%'", user))
	t.Cleanup(func() { _, _ = d.DB.Exec(fmt.Sprintf("DROP USER '%s'@'%%'", user)) })
	h := newHarness(t, d, map[string]string{UserKey: user, PasswordKey: oldPW, BackoffMaxKey: "200"})
	logs := &testkit.LogBuffer{}
	h.task = &Task{classFlavor: MariaDB, newHistory: h.historyFactory()}
	if err := h.task.Start(t.Context(), taskContext{offsets: h.offsets, logs: logs}, h.props); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(h.stop)
	deadline := time.After(60 * time.Second)
	for streaming := false; !streaming; {
		select {
		case <-h.task.streaming:
			streaming = true
		case <-deadline:
			t.Fatal("the task did not start streaming")
		default:
			h.pollFor(20*time.Millisecond, nil)
		}
	}
	d.Exec(t, fmt.Sprintf("ALTER USER '%s'@'%%' IDENTIFIED BY '%s'", user, newPW),
		fmt.Sprintf("KILL CONNECTION %d", h.task.dumpConn.Load()))
	// Poll until the reconnects have failed a few times or the task ended
	// on the error.
	var pollErr error
	for end := time.Now().Add(30 * time.Second); strings.Count(logs.String(), "Access denied") < 3 && pollErr == nil; {
		if time.Now().After(end) {
			t.Fatalf("no failed reconnect logged: %s", logs.String())
		}
		_, pollErr = h.task.Poll(context.Background())
	}
	shown := logs.String()
	if pollErr != nil {
		shown += "\nPoll: " + pollErr.Error()
	}
	if !strings.Contains(shown, "Access denied") {
		t.Errorf("nothing says access denied: %s", shown)
	}
	if pollErr != nil && !strings.Contains(pollErr.Error(), "database.password is wrong") {
		t.Errorf("Poll: %v, want it to say the password is wrong", pollErr)
	}
	for _, pw := range []string{oldPW, newPW} {
		if strings.Contains(shown, pw) {
			t.Errorf("the password %q shows in the logs or errors:\n%s", pw, shown)
		}
	}
}

// panickingHooks is an incremental snapshot engine that panics when the
// stream starts, standing for any panic on the reader goroutine.
type panickingHooks struct{}

func (panickingHooks) Start(context.Context, map[string]any, incremental.Env) error {
	panic("boom from the reader")
}

func (panickingHooks) Change(_ context.Context, _ tables.ID, _ events.Op, _, _ *schemas.Struct, recs []connectors.SourceRecord) ([]connectors.SourceRecord, error) {
	return recs, nil
}

func (panickingHooks) Offset(map[string]any) {}

func (panickingHooks) Idle(context.Context) ([]connectors.SourceRecord, error) { return nil, nil }

// TestReaderPanicFailsTheTask: a panic on the task's reader goroutine
// (third parties' code runs there on what the server sends) fails the
// task with the panic in its error, rather than crashing the worker.
func TestReaderPanicFailsTheTask(t *testing.T) {
	d := testkit.NewDatabase(t)
	h := newHarness(t, d, nil)
	h.task = &Task{classFlavor: MariaDB, newHistory: h.historyFactory(), incr: panickingHooks{}}
	if err := h.task.Start(t.Context(), taskContext{t: t, offsets: h.offsets}, h.props); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(h.stop)
	for end := time.Now().Add(60 * time.Second); ; {
		if time.Now().After(end) {
			t.Fatal("Poll did not fail")
		}
		if _, err := h.task.Poll(context.Background()); err != nil {
			if !strings.Contains(err.Error(), "the binlog reader panicked: boom from the reader") {
				t.Fatalf("Poll: %v, want the panic", err)
			}
			return
		}
	}
}
