package mysqlcdc

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// TestHeartbeatsAdvanceTheOffset: with the captured table idle while
// another database is written, heartbeats carry the moving position.
func TestHeartbeatsAdvanceTheOffset(t *testing.T) {
	d := testkit.NewDatabase(t)
	other := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY)")
	other.Exec(t, "CREATE TABLE o (id BIGINT PRIMARY KEY)")
	h := newHarness(t, d, map[string]string{HeartbeatIntervalKey: "100"})
	h.startStreaming()
	hb := func(s string) bool { return s == "__debezium-heartbeat.core" }
	first := h.poll(1, hb)[0]
	key := first.Key.(*schemas.Struct)
	if key.Get("serverName") != "core" || first.Value.(*schemas.Struct).Get("ts_ms") == nil {
		t.Fatalf("heartbeat %v / %v", first.Key, first.Value)
	}
	other.Exec(t, "INSERT INTO o VALUES (1)", "INSERT INTO o VALUES (2)")
	deadline := time.Now().Add(30 * time.Second)
	for {
		last := h.poll(1, hb)[0]
		if last.SourceOffset[offsetPos] != first.SourceOffset[offsetPos] || last.SourceOffset[offsetFile] != first.SourceOffset[offsetFile] {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the heartbeats' offset stays at %v", first.SourceOffset)
		}
	}
}

// TestSnapshotModes: no_data streams without the rows, initial_only reads
// the rows and stops, never reads the binlog from its first file.
func TestSnapshotModes(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(10))", "INSERT INTO t VALUES (1,'a'),(2,'b')")
	topic := dataTopic(d, "t")

	t.Run("no_data", func(t *testing.T) {
		h := newHarness(t, d, map[string]string{SnapshotModeKey: "no_data"})
		pre := h.startStreaming()
		if got := only(pre, topic); len(got) > 0 {
			t.Fatalf("no_data sent rows: %s", ids(t, got))
		}
		if !slices.ContainsFunc(pre, func(r connectors.SourceRecord) bool { return r.Topic == "core" }) {
			t.Error("no schema change event for the table")
		}
		d.Exec(t, "INSERT INTO t VALUES (3,'c')")
		if got := h.poll(1, topic); ids(t, got) != "c3" {
			t.Fatalf("then: %s", ids(t, got))
		}
		d.Exec(t, "DELETE FROM t WHERE id = 3")
	})
	t.Run("initial_only", func(t *testing.T) {
		h := newHarness(t, d, map[string]string{SnapshotModeKey: "initial_only"})
		h.start()
		if got := h.poll(2, topic); ids(t, got) != "r1 r2" {
			t.Fatalf("snapshot: %s", ids(t, got))
		}
		d.Exec(t, "INSERT INTO t VALUES (4,'d')")
		if got := h.pollFor(500*time.Millisecond, topic); len(got) > 0 {
			t.Fatalf("initial_only streamed: %s", ids(t, got))
		}
		d.Exec(t, "DELETE FROM t WHERE id = 4")
	})
	t.Run("recovery needs an offset", func(t *testing.T) {
		h := newHarness(t, d, map[string]string{SnapshotModeKey: "recovery"})
		h.task = &Task{classFlavor: MariaDB, newHistory: h.historyFactory()}
		err := h.task.Start(t.Context(), taskContext{t: t, offsets: h.offsets}, h.props)
		h.task = nil
		if err == nil || !strings.Contains(err.Error(), "snapshot.mode=recovery") {
			t.Fatalf("Start: %v", err)
		}
	})
	t.Run("recovery rebuilds the history", func(t *testing.T) {
		h := newHarness(t, d, nil)
		h.startStreaming()
		h.stop()
		h.hist.records = nil // the history topic was lost
		h.task = &Task{classFlavor: MariaDB, newHistory: h.historyFactory()}
		err := h.task.Start(t.Context(), taskContext{t: t, offsets: h.offsets}, h.props)
		h.task = nil
		if err == nil || !strings.Contains(err.Error(), "snapshot.mode=recovery") {
			t.Fatalf("Start without history: %v", err)
		}
		h.props[SnapshotModeKey] = "recovery"
		h.startStreaming()
		d.Exec(t, "INSERT INTO t VALUES (5,'e')")
		if got := h.poll(1, topic); ids(t, got) != "c5" {
			t.Fatalf("after recovery: %s", ids(t, got))
		}
	})
}

// TestValidateLive checks the server's binlog settings and the user's
// privileges, naming the missing grant.
func TestValidateLive(t *testing.T) {
	d := testkit.NewDatabase(t)
	host, port, _ := net.SplitHostPort(d.Addr)
	props := map[string]string{HostnameKey: host, PortKey: port, UserKey: d.User, PasswordKey: d.Password,
		ServerIDKey: "77", TopicPrefixKey: "core", HistoryTopicKey: "h", HistoryServersKey: "k:1"}
	c := NewMariaDB()
	if res := c.ValidateLive(t.Context(), props); len(res) > 0 {
		t.Fatalf("the test user: %v", res)
	}
	user := "core_" + d.Name[len(d.Name)-8:]
	d.Exec(t, fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY 'pw-Secret-1'", user),
		fmt.Sprintf("GRANT SELECT ON `%s`.* TO '%s'@'%%'", d.Name, user))
	t.Cleanup(func() { _, _ = d.DB.Exec(fmt.Sprintf("DROP USER '%s'@'%%'", user)) })
	props[UserKey], props[PasswordKey] = user, "pw-Secret-1"
	res := c.ValidateLive(t.Context(), props)
	var msgs []string
	for _, r := range res {
		if r.Name != UserKey {
			t.Errorf("error on %s: %v", r.Name, r.Errors)
		}
		msgs = append(msgs, r.Errors...)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"REPLICATION SLAVE", "BINLOG MONITOR", "RELOAD"} {
		if !strings.Contains(all, want) {
			t.Errorf("the errors do not name %s: %s", want, all)
		}
	}
	if strings.Contains(all, "pw-Secret-1") {
		t.Error("an error shows the password")
	}
	// The task fails to start the same way.
	h := newHarness(t, d, map[string]string{UserKey: user, PasswordKey: "pw-Secret-1"})
	h.task = &Task{classFlavor: MariaDB, newHistory: h.historyFactory()}
	err := h.task.Start(t.Context(), taskContext{t: t, offsets: h.offsets}, h.props)
	h.task = nil
	if err == nil || !strings.Contains(err.Error(), "REPLICATION SLAVE") {
		t.Fatalf("Start: %v", err)
	}
	props[PasswordKey] = "wrong"
	res = c.ValidateLive(context.Background(), props)
	if len(res) != 2 || res[0].Name != UserKey || res[1].Name != PasswordKey {
		t.Fatalf("a wrong password: %v", res)
	}
}
