package e2e

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/go-sql-driver/mysql"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
)

// The change data capture connectors and the SMT under the class names Debezium's users'
// configurations carry.
const (
	mariaDBCDCClass       = "io.debezium.connector.mariadb.MariaDbConnector"
	mySQLCDCClass         = "io.debezium.connector.mysql.MySqlConnector"
	extractNewRecordState = "io.debezium.transforms.ExtractNewRecordState"
)

// cdcServerID returns a replication client id no other test's connector uses: every test reads
// the shared server's binary log, and the server drops a client whose id another one takes.
func cdcServerID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatUint(uint64(10_000+uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3])%1_000_000_000), 10)
}

// cdcSource returns a CDC source's configuration (MariaDB's class) capturing the database db of
// server s into topics prefix.<db>.<table>, with its schema history in a topic of its own and
// JSON values without schemas; extra overrides any key.
func cdcSource(s testkit.MySQLServer, bootstrap, name, prefix, db string, extra map[string]string) map[string]string {
	m := map[string]string{
		"name": name, "connector.class": mariaDBCDCClass, "tasks.max": "1",
		"database.hostname": "127.0.0.1", "database.port": s.Port(),
		"database.user": s.User, "database.password": s.Password,
		"database.server.id": cdcServerID(), "topic.prefix": prefix,
		"database.include.list":                           db,
		"schema.history.internal.kafka.topic":             prefix + "-history",
		"schema.history.internal.kafka.bootstrap.servers": bootstrap,
		"include.schema.changes":                          "false",
		"time.precision.mode":                             "connect",
		"key.converter":                                   "org.apache.kafka.connect.json.JsonConverter",
		"key.converter.schemas.enable":                    "false",
		"value.converter":                                 "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable":                  "false",
	}
	maps.Copy(m, extra)
	return m
}

// cdcWorker is a standalone worker process running one CDC source, with a known REST address
// and an offsets file kept across its restarts.
type cdcWorker struct {
	t        *testing.T
	dir      string
	props    map[string]string
	listener string
	c        *client.Client
	w        *testkit.Worker
	password string // must never appear in its log
	starts   int
}

func newCDCWorker(t *testing.T, bootstrap, dir, password string) *cdcWorker {
	t.Helper()
	cw := &cdcWorker{t: t, dir: dir, listener: testkit.FreeListener(t), password: password}
	cw.props = workerProps(bootstrap, filepath.Join(dir, "cdc.offsets"))
	cw.props["listeners"] = cw.listener
	cw.c = newClient(t, cw.listener)
	return cw
}

// start runs the worker (again) with the connector's configuration and waits until its REST API
// answers.
func (cw *cdcWorker) start(conn map[string]string) *testkit.Worker {
	t := cw.t
	t.Helper()
	cw.starts++
	name := fmt.Sprintf("cdc-%d", cw.starts)
	w := testkit.StartWorker(t, binary, cw.dir, name, cw.props, conn)
	cw.w = w
	t.Cleanup(func() { noSecretIn(t, "the log of worker "+name, w.Log(), cw.password) })
	awaitHealthy(t, cw.c, w)
	return w
}

// offsets returns the offset the worker's offsets file holds for a CDC connector (partition
// {"server": prefix}), nil when none.
func (cw *cdcWorker) offset(connector, prefix string) map[string]any {
	return sourceOffset(cw.t, cw.props["offset.storage.file.filename"], connector, map[string]any{"server": prefix})
}

// cdcEvent is one record of a CDC topic, decoded from JSON without schemas: the key's fields,
// and op, before and after of the envelope; a tombstone has op "".
type cdcEvent struct {
	offset        int64
	key           map[string]any
	op            string
	before, after map[string]any
	source        map[string]any
}

// readCDCTopic returns the records of a CDC topic (one partition) decoded as events.
func readCDCTopic(t *testing.T, bootstrap, topic string) []cdcEvent {
	t.Helper()
	assertOnePartition(t, bootstrap, topic)
	msgs := readTopicMessages(t, bootstrap, topic)
	out := make([]cdcEvent, len(msgs))
	for i, m := range msgs {
		out[i] = decodeCDC(t, topic, m)
	}
	return out
}

// lastCDCEvent returns the last record of a CDC topic (partition 0) as an event; false while the
// topic is empty or missing.
func lastCDCEvent(t *testing.T, bootstrap, topic string) (cdcEvent, bool) {
	t.Helper()
	client, err := sarama.NewClient(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		return cdcEvent{}, false
	}
	defer client.Close()
	end, err := client.GetOffset(topic, 0, sarama.OffsetNewest)
	if err != nil || end == 0 {
		return cdcEvent{}, false
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(topic, 0, end-1)
	if err != nil {
		t.Fatalf("read %s at %d: %v", topic, end-1, err)
	}
	defer pc.Close()
	select {
	case m := <-pc.Messages():
		return decodeCDC(t, topic, m), true
	case <-time.After(30 * time.Second):
		t.Fatalf("read %s at %d: no record within 30 s", topic, end-1)
		return cdcEvent{}, false
	}
}

// decodeCDC decodes one record of a CDC topic (JSON without schemas).
func decodeCDC(t *testing.T, topic string, m *sarama.ConsumerMessage) cdcEvent {
	t.Helper()
	ev := cdcEvent{offset: m.Offset}
	if err := jsonNumbers(m.Key, &ev.key); err != nil {
		t.Fatalf("%s record %d: key %q: %v", topic, m.Offset, m.Key, err)
	}
	if m.Value == nil {
		return ev
	}
	var v struct {
		Op     string         `json:"op"`
		Before map[string]any `json:"before"`
		After  map[string]any `json:"after"`
		Source map[string]any `json:"source"`
	}
	if err := jsonNumbers(m.Value, &v); err != nil {
		t.Fatalf("%s record %d: value %q: %v", topic, m.Offset, m.Value, err)
	}
	if v.Op == "" {
		t.Fatalf("%s record %d has no op: %s", topic, m.Offset, m.Value)
	}
	ev.op, ev.before, ev.after, ev.source = v.Op, v.Before, v.After, v.Source
	return ev
}

// awaitMarker waits until the last record of a CDC topic is the insert (or the snapshot's read)
// of the row whose id is marker, and returns every record of the topic.
func awaitMarker(t *testing.T, bootstrap, topic, marker string, timeout time.Duration, w ...*testkit.Worker) []cdcEvent {
	t.Helper()
	eventually(t, timeout, "the marker row "+marker+" last in "+topic, func() (bool, string) {
		last, ok := lastCDCEvent(t, bootstrap, topic)
		if !ok {
			return false, "no records"
		}
		return (last.op == "c" || last.op == "r") && fmt.Sprint(last.key["id"]) == marker, fmt.Sprintf("the last record %d: %q %v", last.offset, last.op, last.key)
	}, w...)
	return readCDCTopic(t, bootstrap, topic)
}

// jsonNumbers decodes JSON keeping numbers as json.Number (exact for BIGINT).
func jsonNumbers(b []byte, v any) error {
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	return d.Decode(v)
}

// assertOnePartition fails t unless the topic has exactly one partition: the tests read
// partition 0 for the order of a key's events.
func assertOnePartition(t *testing.T, bootstrap, topic string) {
	t.Helper()
	c, err := sarama.NewClient(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ps, err := c.Partitions(topic)
	if err != nil {
		t.Fatalf("partitions of %s: %v", topic, err)
	}
	if len(ps) != 1 {
		t.Fatalf("%s has %d partitions; the test reads one", topic, len(ps))
	}
}

// keyString renders an event key for maps and messages.
func keyString(k map[string]any) string {
	names := slices.Sorted(maps.Keys(k))
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s=%v", n, k[n])
	}
	return strings.Join(parts, ",")
}

// replay applies a topic's events in order to an empty table and returns the rows (by key): c,
// r and u set a key's row to after, d and tombstones remove it.
func replay(t *testing.T, topic string, events []cdcEvent) map[string]map[string]any {
	t.Helper()
	rows := map[string]map[string]any{}
	for _, ev := range events {
		k := keyString(ev.key)
		switch ev.op {
		case "c", "r", "u":
			if ev.after == nil {
				t.Fatalf("%s record %d: op %s without after", topic, ev.offset, ev.op)
			}
			rows[k] = ev.after
		case "d", "":
			delete(rows, k)
		default:
			t.Fatalf("%s record %d: unexpected op %q", topic, ev.offset, ev.op)
		}
	}
	return rows
}

// openDB opens a pool on a DSN in a UTC session and closes it when t ends.
func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// execAll runs statements, failing t on the first error.
func execAll(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%.300s: %v", s, err)
		}
	}
}

// tableText returns every row of a query as MySQL text by a key made of the first nkey columns
// (NULL as nil).
func tableText(db *sql.DB, query string, nkey int) (map[string][]*string, []string, error) {
	rows, err := db.Query(query)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	out := map[string][]*string{}
	for rows.Next() {
		raw := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		row := make([]*string, len(cols))
		var key []string
		for i, r := range raw {
			if r != nil {
				s := string(r)
				row[i] = &s
			}
			if i < nkey {
				key = append(key, cols[i]+"="+string(r))
			}
		}
		out[strings.Join(key, ",")] = row
	}
	return out, cols, rows.Err()
}
