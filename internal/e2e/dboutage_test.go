package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestJDBCDatabaseOutage kills the database with SIGKILL under a running JDBC source
// (incrementing) and JDBC sink (upsert) and starts it again: neither task fails, and once rows
// inserted after the restart have gone through, the sink's table equals the source's row for row.
func TestJDBCDatabaseOutage(t *testing.T) {
	bootstrap := testkit.Kafka(t)
	m := testkit.StartMariaDB(t)
	db, err := sql.Open("mysql", m.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("CREATE TABLE src (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL, n INT NULL)")
	insert := func(from, to int) {
		t.Helper()
		for i := from; i < to; i += 250 {
			var sb strings.Builder
			sb.WriteString("INSERT INTO src (name, n) VALUES ")
			for j := i; j < min(i+250, to); j++ {
				if j > i {
					sb.WriteByte(',')
				}
				fmt.Fprintf(&sb, "('row %d', %d)", j, j*7)
			}
			exec(sb.String())
		}
	}
	count := func() (int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var n int
		err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM dst").Scan(&n)
		return n, err
	}

	dir := t.TempDir()
	prefix := fmt.Sprintf("dbout-%d-", time.Now().UnixNano())
	conv := map[string]string{
		"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable": "true",
	}
	// The sink's name, and so its group connect-<name>, is this run's own.
	srcName, sinkName := "outage-source", prefix+"sink"
	source := map[string]string{
		"name": srcName, "connector.class": "JdbcSourceConnector", "tasks.max": "1",
		"connection.url": m.JDBCURL, "connection.user": m.User, "connection.password": m.Password,
		"mode": "incrementing", "incrementing.column.name": "id", "table.whitelist": "src",
		"topic.prefix": prefix, "poll.interval.ms": "100", "batch.max.rows": "500",
	}
	sink := map[string]string{
		"name": sinkName, "connector.class": "JdbcSinkConnector", "tasks.max": "1", "topics": prefix + "src",
		"connection.url": m.JDBCURL, "connection.user": m.User, "connection.password": m.Password,
		"table.name.format": "dst", "insert.mode": "upsert", "pk.mode": "record_value", "pk.fields": "id",
		"auto.create": "true", "max.retries": "300", "retry.backoff.ms": "200",
	}
	for k, v := range conv {
		source[k], sink[k] = v, v
	}
	srcListener, sinkListener := testkit.FreeListener(t), testkit.FreeListener(t)
	wpSource := workerProps(bootstrap, filepath.Join(dir, "source.offsets"))
	wpSource["listeners"] = srcListener
	wpSink := workerProps(bootstrap, filepath.Join(dir, "sink.offsets"))
	wpSink["listeners"] = sinkListener

	insert(0, 5000)
	ws := startWorker(t, dir, "source", wpSource, source)
	wk := startWorker(t, dir, "sink", wpSink, sink)
	eventually(t, 2*time.Minute, "the sink's table to fill", func() (bool, string) {
		n, err := count()
		return err == nil && n >= 1000, fmt.Sprintf("%d rows, %v", n, err)
	}, ws, wk)

	m.Kill9()
	m.Restart()
	insert(5000, 10000)
	eventually(t, 3*time.Minute, "every row in the sink's table", func() (bool, string) {
		n, err := count()
		return err == nil && n == 10000, fmt.Sprintf("%d rows, %v", n, err)
	}, ws, wk)

	for _, c := range []struct{ listener, name string }{{srcListener, srcName}, {sinkListener, sinkName}} {
		if st := connectorStatus(t, c.listener, c.name); st != "RUNNING/RUNNING" {
			t.Errorf("%s after the outage: %s", c.name, st)
		}
	}
	var diff int
	if err := db.QueryRow(`SELECT COUNT(*) FROM src s LEFT JOIN dst d ON d.id = s.id
		WHERE d.id IS NULL OR d.name <> s.name OR NOT (d.n <=> s.n)`).Scan(&diff); err != nil || diff != 0 {
		t.Fatalf("%d rows of src differ in dst (%v)", diff, err)
	}
	ws.Term()
	wk.Term()
}

// connectorStatus returns "<connector state>/<task 0 state>" from a worker's REST API, with the
// task's trace when it has one.
func connectorStatus(t *testing.T, listener, name string) string {
	t.Helper()
	resp, err := http.Get(listener + "/connectors/" + name + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var st struct {
		Connector struct{ State string }
		Tasks     []struct{ State, Trace string }
	}
	if err := json.Unmarshal(body, &st); err != nil || len(st.Tasks) == 0 {
		return fmt.Sprintf("unreadable status %s (%v)", body, err)
	}
	s := st.Connector.State + "/" + st.Tasks[0].State
	if st.Tasks[0].Trace != "" {
		s += ": " + st.Tasks[0].Trace
	}
	return s
}
