package mysqlcdc

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// TestSnapshotTableLocksWithoutReload: a user without RELOAD (FLUSH
// TABLES WITH READ LOCK refused) but with LOCK TABLES takes the snapshot
// under read locks of the captured tables, as Debezium falls back to: the
// rows are read and streaming goes on from the snapshot's position, none
// lost or doubled. A table write-locked by another session holds the
// snapshot up until snapshot.lock.timeout.ms, which proves it locks the
// table.
func TestSnapshotTableLocksWithoutReload(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50))", "INSERT INTO t VALUES (1,'a'),(2,'b')")
	user := "core2l_" + d.Name[len(d.Name)-8:]
	d.Exec(t, fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY 'pw-Secret-3'", user),
		fmt.Sprintf("GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '%s'@'%%'", user),
		fmt.Sprintf("GRANT SELECT, LOCK TABLES ON `%s`.* TO '%s'@'%%'", d.Name, user))
	t.Cleanup(func() { _, _ = d.DB.Exec(fmt.Sprintf("DROP USER '%s'@'%%'", user)) })
	creds := map[string]string{UserKey: user, PasswordKey: "pw-Secret-3"}

	t.Run("snapshot under table locks", func(t *testing.T) {
		h := newHarness(t, d, creds)
		snap := h.startStreaming()
		if s := ids(t, only(snap, dataTopic(d, "t"))); s != "r1 r2" {
			t.Fatalf("snapshot %s", s)
		}
		d.Exec(t, "INSERT INTO t VALUES (3,'c')")
		if s := ids(t, h.poll(1, dataTopic(d, "t"))); s != "c3" {
			t.Fatalf("streaming %s", s)
		}
	})

	t.Run("concurrent writes", func(t *testing.T) {
		// Rows inserted while the snapshot starts come once each, as a
		// snapshot read or as a create, never both, never lost.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		d.Exec(t, "CREATE TABLE w (id BIGINT PRIMARY KEY)")
		var written atomic.Int64
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			for i := int64(1); ctx.Err() == nil; i++ {
				if _, err := d.DB.ExecContext(ctx, "INSERT INTO w VALUES (?)", i); err != nil {
					return
				}
				written.Store(i)
			}
		}()
		writerFailed := func() {
			select {
			case <-stopped:
				t.Fatal("the writer stopped")
			default:
			}
		}
		for written.Load() < 50 {
			writerFailed()
			time.Sleep(time.Millisecond) // poll: the writer has started
		}
		h := newHarness(t, d, creds)
		got := only(h.startStreaming(), dataTopic(d, "w"))
		for written.Load() < 300 {
			writerFailed()
			got = append(got, h.pollFor(20*time.Millisecond, dataTopic(d, "w"))...)
		}
		cancel()
		<-stopped
		n := written.Load()
		seen := map[int64]string{}
		for deadline := time.Now().Add(60 * time.Second); int64(len(seen)) < n; {
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d rows", len(seen), n)
			}
			for _, r := range got {
				env := r.Value.(*schemas.Struct)
				id := env.Get("after").(*schemas.Struct).Get("id").(int64)
				if prev, dup := seen[id]; dup {
					t.Fatalf("row %d twice: %s and %s", id, prev, env.Get("op"))
				}
				seen[id] = env.Get("op").(string)
			}
			got = h.pollFor(50*time.Millisecond, dataTopic(d, "w"))
		}
		reads := 0
		for _, op := range seen {
			if op == "r" {
				reads++
			}
		}
		t.Logf("%d rows: %d snapshot reads, %d creates", n, reads, int(n)-reads)
	})

	t.Run("waits for a write lock", func(t *testing.T) {
		ctx := context.Background()
		holder, err := d.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Close()
		if _, err := holder.ExecContext(ctx, fmt.Sprintf("LOCK TABLES `%s`.t WRITE", d.Name)); err != nil {
			t.Fatal(err)
		}
		defer holder.ExecContext(ctx, "UNLOCK TABLES") //nolint:errcheck // the connection closes next
		props := map[string]string{SnapshotLockTimeoutKey: "1000"}
		for k, v := range creds {
			props[k] = v
		}
		h := newHarness(t, d, props)
		h.start()
		deadline := time.Now().Add(30 * time.Second)
		for {
			if time.Now().After(deadline) {
				t.Fatal("the snapshot did not fail while the table was write-locked")
			}
			recs, err := h.task.Poll(ctx)
			if err != nil {
				if !strings.Contains(err.Error(), "LOCK TABLES ... READ of the captured tables waited") {
					t.Fatalf("Poll: %v", err)
				}
				break
			}
			for _, r := range recs {
				if r.Topic == "core."+d.Name+".t" {
					t.Fatalf("a record while the table was write-locked: %v", r.Value)
				}
			}
		}
	})
}
