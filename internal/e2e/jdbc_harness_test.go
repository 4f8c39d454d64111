package e2e

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/go-sql-driver/mysql"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/schemas/avro"
)

// The JDBC connectors under the class names users' configurations carry.
const (
	jdbcSourceClass = "io.confluent.connect.jdbc.JdbcSourceConnector"
	jdbcSinkClass   = "io.confluent.connect.jdbc.JdbcSinkConnector"
)

// jdbcEnv is what a JDBC end-to-end test runs against: the real Kafka,
// Schema Registry and MariaDB, a database of the test's own and a
// directory for worker files.
type jdbcEnv struct {
	t         *testing.T
	bootstrap string
	registry  string
	db        testkit.Database
	// utc is a pool on the test's database whose sessions use UTC, so
	// TIMESTAMP columns read and write the same text the connectors, with
	// the default db.timezone UTC, see.
	utc *sql.DB
	dir string
}

func newJDBCEnv(t *testing.T) *jdbcEnv {
	t.Helper()
	e := &jdbcEnv{t: t, bootstrap: testkit.Kafka(t), registry: testkit.SchemaRegistryURL(t), db: testkit.NewDatabase(t), dir: t.TempDir()}
	cfg, err := mysql.ParseDSN(e.db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	cfg.MultiStatements = false
	if e.utc, err = sql.Open("mysql", cfg.FormatDSN()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.utc.Close() })
	return e
}

// unique returns a fresh name with a prefix, for topics, connectors and
// tables: [a-z0-9_], short enough for a MySQL identifier.
func unique(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}

// exec runs statements in a UTC session, failing the test on the first
// error.
func (e *jdbcEnv) exec(stmts ...string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, s := range stmts {
		if _, err := e.utc.ExecContext(ctx, s); err != nil {
			e.t.Fatalf("%s: %v", s, err)
		}
	}
}

// execArgs runs one statement with arguments in a UTC session.
func (e *jdbcEnv) execArgs(stmt string, args ...any) {
	e.t.Helper()
	if _, err := e.utc.Exec(stmt, args...); err != nil {
		e.t.Fatalf("%s %v: %v", stmt, args, err)
	}
}

// connection returns the connection keys for the test's database, plus
// extra.
func (e *jdbcEnv) connection(extra map[string]string) map[string]string {
	m := map[string]string{
		"connection.url":      e.db.JDBCURL,
		"connection.user":     e.db.User,
		"connection.password": e.db.Password,
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// avroConverters are the connector's converter overrides for Avro keys and
// values through the real registry.
func (e *jdbcEnv) avroConverters(m map[string]string) map[string]string {
	m["key.converter"] = avro.ConverterClass
	m["key.converter.schema.registry.url"] = e.registry
	m["value.converter"] = avro.ConverterClass
	m["value.converter.schema.registry.url"] = e.registry
	return m
}

// jdbcWorker is a standalone worker process with a known REST address and
// an offsets file. Its log is checked at the end of the test: the
// database password must never appear in it.
type jdbcWorker struct {
	e       *jdbcEnv
	props   map[string]string
	offsets string
	c       *client.Client
	w       *testkit.Worker
}

func (e *jdbcEnv) newWorker(name string) *jdbcWorker {
	e.t.Helper()
	listener := testkit.FreeListener(e.t)
	jw := &jdbcWorker{e: e, offsets: filepath.Join(e.dir, name+".offsets")}
	jw.props = workerProps(e.bootstrap, jw.offsets)
	jw.props["listeners"] = listener
	jw.c = newClient(e.t, listener)
	return jw
}

// start runs the worker with one connector from a properties file (none
// if conn is nil) and waits until its REST API answers.
func (jw *jdbcWorker) start(name string, conn map[string]string) *testkit.Worker {
	t := jw.e.t
	t.Helper()
	w := testkit.StartWorker(t, binary, jw.e.dir, name, jw.props, conn)
	jw.w = w
	t.Cleanup(func() { noSecretIn(t, "the log of worker "+name, w.Log(), jw.e.db.Password) })
	awaitHealthy(t, jw.c, w)
	return w
}

// noSecretIn fails t when text holds secret.
func noSecretIn(t *testing.T, where, text, secret string) {
	t.Helper()
	if secret != "" && strings.Contains(text, secret) {
		i := strings.Index(text, secret)
		t.Errorf("the password appears in %s: …%s…", where, text[max(0, i-200):min(len(text), i+len(secret)+50)])
	}
}

// sourceOffset returns the offset the standalone offsets file holds for a
// connector's source partition (nil when none).
func sourceOffset(t *testing.T, offsetsFile, connector string, partition map[string]any) map[string]any {
	t.Helper()
	b, err := os.ReadFile(offsetsFile)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Connectors map[string][]struct {
			Partition map[string]any `json:"partition"`
			Offset    map[string]any `json:"offset"`
		} `json:"connectors"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("offsets file %s is not valid JSON: %v", offsetsFile, err)
	}
	want, _ := json.Marshal(partition)
	for _, o := range doc.Connectors[connector] {
		if got, _ := json.Marshal(o.Partition); string(got) == string(want) {
			return o.Offset
		}
	}
	return nil
}

// queryText runs a query in a UTC session and returns every row as MySQL
// text (nil for NULL).
func (e *jdbcEnv) queryText(query string, args ...any) [][]*string {
	e.t.Helper()
	rows, err := e.utc.Query(query, args...)
	if err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		e.t.Fatal(err)
	}
	var out [][]*string
	for rows.Next() {
		raw := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			e.t.Fatal(err)
		}
		row := make([]*string, len(cols))
		for i, r := range raw {
			if r != nil {
				s := string(r)
				row[i] = &s
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// count returns the result of a one-number query (0 when the table does
// not exist yet).
func (e *jdbcEnv) count(query string) int64 {
	var n sql.NullInt64
	if err := e.utc.QueryRow(query).Scan(&n); err != nil {
		return 0
	}
	return n.Int64
}

// textRow renders a row of queryText for messages.
func textRow(r []*string) string {
	parts := make([]string, len(r))
	for i, v := range r {
		if v == nil {
			parts[i] = "NULL"
		} else {
			parts[i] = fmt.Sprintf("%q", *v)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// avroProducer writes Connect values to Kafka as Confluent's AvroConverter
// does (magic byte, schema id from the real registry, Avro body): what a
// Kafka Connect source or a Confluent serializer with the same schema
// produces.
type avroProducer struct {
	t        *testing.T
	keys     *avro.Converter
	values   *avro.Converter
	producer sarama.SyncProducer
	topic    string
}

func (e *jdbcEnv) newAvroProducer(topic string) *avroProducer {
	e.t.Helper()
	ap := &avroProducer{t: e.t, topic: topic, keys: avro.New(), values: avro.New()}
	cfg := map[string]string{"schema.registry.url": e.registry}
	if err := ap.keys.Configure(cfg, true); err != nil {
		e.t.Fatal(err)
	}
	if err := ap.values.Configure(cfg, false); err != nil {
		e.t.Fatal(err)
	}
	p, err := sarama.NewSyncProducer(testkit.Addrs(e.bootstrap), producerConfig())
	if err != nil {
		e.t.Fatal(err)
	}
	ap.producer = p
	e.t.Cleanup(func() { p.Close() })
	return ap
}

// record is one Kafka record in Connect terms; a nil value is a
// tombstone.
type record struct {
	keySchema, valueSchema *schemas.Schema
	key, value             any
}

// send produces records in order and waits for every acknowledgement.
func (ap *avroProducer) send(recs ...record) {
	ap.t.Helper()
	msgs := make([]*sarama.ProducerMessage, 0, len(recs))
	for _, r := range recs {
		m := &sarama.ProducerMessage{Topic: ap.topic}
		if r.key != nil {
			b, err := ap.keys.FromConnectData(ap.topic, r.keySchema, r.key)
			if err != nil {
				ap.t.Fatal(err)
			}
			m.Key = sarama.ByteEncoder(b)
		}
		if r.value != nil {
			b, err := ap.values.FromConnectData(ap.topic, r.valueSchema, r.value)
			if err != nil {
				ap.t.Fatal(err)
			}
			m.Value = sarama.ByteEncoder(b)
		}
		msgs = append(msgs, m)
	}
	for len(msgs) > 0 {
		n := min(len(msgs), 1000)
		if err := ap.producer.SendMessages(msgs[:n]); err != nil {
			ap.t.Fatal(err)
		}
		msgs = msgs[n:]
	}
}

// groupCommitted returns the offset a sink connector's consumer group
// committed on partition 0 of topic (-1 when none).
func (e *jdbcEnv) groupCommitted(connector, topic string) int64 {
	return groupOffset(e.t, e.bootstrap, "connect-"+connector, topic)
}

// partitionEnd returns the high watermark of partition 0 of a topic, 0
// while the topic does not exist or Kafka cannot be asked.
func partitionEnd(bootstrap, topic string) int64 {
	end, err := testkit.EndOffset(bootstrap, topic, 0)
	if err != nil {
		return 0
	}
	return end
}
