package bench

// The JDBC benchmarks: 1,000,000 rows of 10 columns between Kafka and the
// real MariaDB, through a sluice worker process and, in the same run, a raw
// baseline in Go with the same driver (go-sql-driver/mysql) and no sluice.
//
// Records are Avro through the real Schema Registry: the JDBC sink needs
// records with schemas, and Avro with a registry is what Confluent's JDBC
// connector's users run (JSON with an inline schema repeats the schema in
// every record, which nobody runs at volume).

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	jdbcsink "github.com/sluicehq/sluice/connectors/jdbc/sink"
	jdbcsource "github.com/sluicehq/sluice/connectors/jdbc/source"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/kafka"
	"github.com/sluicehq/sluice/schemas"
	"github.com/sluicehq/sluice/schemas/avro"
)

const (
	jdbcRows = 1_000_000
	// jdbcBatch is batch.size of the sink and the rows of the raw
	// baseline's statements; the sink's Put gets as many records
	// (consumer max.poll.records), so each Put is one statement and one
	// transaction, as each raw statement is.
	jdbcBatch = 3000
)

// benchDDL is the benchmark table: 10 columns.
const benchDDL = "CREATE TABLE `%s` (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL, b BIGINT NOT NULL, c DOUBLE NOT NULL, " +
	"d TINYINT NOT NULL, e VARCHAR(64) NOT NULL, f VARCHAR(64) NOT NULL, g VARCHAR(64) NOT NULL, h DATETIME(3) NOT NULL, i INT NOT NULL)"

var benchCols = []string{"id", "a", "b", "c", "d", "e", "f", "g", "h", "i"}

var benchSchema = schemas.NewBuilder(schemas.TypeStruct).Name("sluice.bench.Row").
	Field("id", schemas.Int64Schema).Field("a", schemas.Int32Schema).Field("b", schemas.Int64Schema).
	Field("c", schemas.Float64Schema).Field("d", schemas.Int8Schema).Field("e", schemas.StringSchema).
	Field("f", schemas.StringSchema).Field("g", schemas.StringSchema).
	Field("h", schemas.TimestampBuilder().MustBuild()).Field("i", schemas.Int32Schema).MustBuild()

var benchEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// benchRow is row n's values, in column order, as database/sql binds them
// and as the Avro record carries them.
func benchRow(n int) []any {
	return []any{int64(n), int32(n % 100_000), int64(n) * 7919, float64(n) / 8, int8(n % 2),
		fmt.Sprintf("name-%09d", n), fmt.Sprintf("city-%05d", n%50_000), fmt.Sprintf("note %d %s", n, "abcdefghij"),
		benchEpoch.Add(time.Duration(n) * time.Millisecond), int32(n % 1000)}
}

// jdbcResult is one measured run of rows.
type jdbcResult struct {
	name    string
	elapsed time.Duration
	rss     int64
	n       int // rows moved; 0 means jdbcRows
}

// awaitAcks drains n acknowledgements (successes or errors) of p and sends the first error, or
// nil, on the channel it returns.
func awaitAcks(p sarama.AsyncProducer, n int) <-chan error {
	done := make(chan error, 1)
	go func() {
		var first error
		for range n {
			select {
			case <-p.Successes():
			case e := <-p.Errors():
				if first == nil {
					first = e
				}
			}
		}
		done <- first
	}()
	return done
}

func (r jdbcResult) rowsPerSec() float64 {
	if r.n == 0 {
		return jdbcRows / r.elapsed.Seconds()
	}
	return float64(r.n) / r.elapsed.Seconds()
}

func jdbcReport(b *testing.B, pipe jdbcResult, raws ...jdbcResult) {
	b.Helper()
	b.ReportMetric(pipe.rowsPerSec(), "rows/s")
	b.ReportMetric(raws[0].rowsPerSec(), "raw-rows/s")
	b.ReportMetric(pipe.rowsPerSec()/raws[0].rowsPerSec(), "ratio-to-raw")
	b.ReportMetric(float64(pipe.rss)/(1<<20), "worker-peak-RSS-MiB")
	fmt.Printf("\n%-48s %12s %10s %10s\n", b.Name(), "rows/s", "seconds", "peak RSS")
	for _, r := range raws {
		fmt.Printf("%-48s %12.0f %10.2f %10s\n", r.name, r.rowsPerSec(), r.elapsed.Seconds(), "-")
	}
	fmt.Printf("%-48s %12.0f %10.2f %9.1fM\n", pipe.name, pipe.rowsPerSec(), pipe.elapsed.Seconds(), float64(pipe.rss)/(1<<20))
	fmt.Printf("%-48s %11.0f%%\n\n", "sluice / "+raws[0].name, 100*pipe.rowsPerSec()/raws[0].rowsPerSec())
}

func execDB(b *testing.B, db *sql.DB, stmts ...string) {
	b.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			b.Fatalf("%s: %v", s, err)
		}
	}
}

// insertSQL is the sink's statement form for rows rows: a multi-row
// INSERT, with ON DUPLICATE KEY UPDATE c=VALUES(c) for upserts.
func insertSQL(table string, rows int, upsert bool) string {
	var s strings.Builder
	fmt.Fprintf(&s, "INSERT INTO `%s`(`%s`) VALUES ", table, strings.Join(benchCols, "`,`"))
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(benchCols)), ",") + ")"
	for i := range rows {
		if i > 0 {
			s.WriteByte(',')
		}
		s.WriteString(row)
	}
	if upsert {
		s.WriteString(" ON DUPLICATE KEY UPDATE ")
		for i, c := range benchCols[1:] {
			if i > 0 {
				s.WriteByte(',')
			}
			fmt.Fprintf(&s, "`%s`=VALUES(`%s`)", c, c)
		}
	}
	return s.String()
}

// rawInsert writes the rows through database/sql: on one connection,
// statements of jdbcBatch rows prepared once, one transaction each.
func rawInsert(b *testing.B, db *sql.DB, table string, upsert bool) jdbcResult {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	conn, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	// The rows' values are made by another goroutine, ahead, so the
	// baseline measures binding and the database, as the sink's does
	// while its consumer and converter run beside it.
	batches := make(chan []any, 4)
	go func() {
		defer close(batches)
		for n := 0; n < jdbcRows; n += jdbcBatch {
			args := make([]any, 0, jdbcBatch*len(benchCols))
			for i := n; i < min(n+jdbcBatch, jdbcRows); i++ {
				args = append(args, benchRow(i)...)
			}
			batches <- args
		}
	}()
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			_ = st.Close()
		}
	}()
	for args := range batches {
		rows := len(args) / len(benchCols)
		st := stmts[rows]
		if st == nil {
			if st, err = conn.PrepareContext(ctx, insertSQL(table, rows, upsert)); err != nil {
				b.Fatal(err)
			}
			stmts[rows] = st
		}
		// database/sql's Tx.StmtContext would prepare the statement again
		// for every transaction: the transaction is SQL on the connection,
		// as the sink's.
		if _, err := conn.ExecContext(ctx, "START TRANSACTION"); err != nil {
			b.Fatal(err)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			b.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			b.Fatal(err)
		}
	}
	name := "raw database/sql insert"
	if upsert {
		name = "raw database/sql upsert"
	}
	return jdbcResult{name: name, elapsed: time.Since(start)}
}

// fillAvroTopic produces rows rows as Avro records (through the real
// registry) into a new topic.
func fillAvroTopic(b *testing.B, l link, registry string, rows int) string {
	b.Helper()
	topic := testkit.NewTopic(b, l.admin(b), 1)
	conv := avro.New()
	if err := conv.Configure(map[string]string{"schema.registry.url": registry}, false); err != nil {
		b.Fatal(err)
	}
	cfg, _, err := kafka.ProducerConfig("bench-jdbc-fill", l.security)
	if err != nil {
		b.Fatal(err)
	}
	p, err := sarama.NewAsyncProducer(testkit.Addrs(l.bootstrap), cfg.Sarama)
	if err != nil {
		b.Fatal(err)
	}
	done := awaitAcks(p, rows)
	for n := range rows {
		row := benchRow(n)
		s := schemas.NewStruct(benchSchema)
		for i, c := range benchCols {
			s.MustPut(c, row[i])
		}
		v, err := conv.FromConnectData(topic, benchSchema, s)
		if err != nil {
			b.Fatal(err)
		}
		p.Input() <- &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(v)}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	p.Close()
	return topic
}

// BenchmarkJDBCSinkInsert: 1M Avro records from a pre-filled topic into an
// empty MariaDB table with insert.mode=insert.
func BenchmarkJDBCSinkInsert(b *testing.B) { jdbcSink(b, false) }

// BenchmarkJDBCSinkUpsert: the same with insert.mode=upsert (INSERT … ON
// DUPLICATE KEY UPDATE), into an empty table.
func BenchmarkJDBCSinkUpsert(b *testing.B) { jdbcSink(b, true) }

func jdbcSink(b *testing.B, upsert bool) {
	j := newJDBCBench(b)
	warmCoordinator(b, j.l.bootstrap)
	mode := "insert"
	if upsert {
		mode = "upsert"
	}
	for b.Loop() {
		topic := fillAvroTopic(b, j.l, j.registry, jdbcRows)
		// The raw baseline runs before and after the worker (InnoDB is
		// still flushing one run's pages during the next) and the ratio is
		// to the mean of the two.
		table := "sluice_" + mode
		execDB(b, j.d.DB, fmt.Sprintf(benchDDL, "raw_before"), fmt.Sprintf(benchDDL, "raw_after"))
		before := rawInsert(b, j.d.DB, "raw_before", upsert)
		pipe := j.sink(b, "sluice JDBC sink "+mode, jdbcsink.Class, topic, table, mode, jdbcRows)
		after := rawInsert(b, j.d.DB, "raw_after", upsert)
		mean := jdbcResult{name: before.name + " (mean time)", elapsed: (before.elapsed + after.elapsed) / 2}
		before.name += " (before)"
		after.name += " (after)"
		jdbcReport(b, pipe, mean, before, after)
	}
}

// jdbcBench is what the JDBC benchmarks' worker runs share: the broker, the
// registry, a new database and the worker's directory and properties.
type jdbcBench struct {
	l        link
	registry string
	d        testkit.Database
	dir      string
	props    map[string]string
}

func newJDBCBench(b *testing.B) jdbcBench {
	b.Helper()
	l := plaintext(b)
	dir := b.TempDir()
	return jdbcBench{l: l, registry: testkit.SchemaRegistryURL(b), d: testkit.NewDatabase(b), dir: dir, props: workerProps(l, dir)}
}

// sink runs the JDBC sink of class in a worker process, writing topic (of
// rows records) into a new table in insert.mode mode, and returns the time
// from process start until the table holds every row.
func (j jdbcBench) sink(b *testing.B, name, class, topic, table, mode string, rows int) jdbcResult {
	b.Helper()
	execDB(b, j.d.DB, "DROP TABLE IF EXISTS `"+table+"`", fmt.Sprintf(benchDDL, table))
	start := time.Now()
	w := testkit.StartWorker(b, binary, j.dir, "jdbc-sink-"+table, j.props, map[string]string{
		"name": "bench-jdbc-sink-" + table + "-" + topic, "connector.class": class,
		"topics": topic, "connection.url": j.d.JDBCURL, "connection.user": j.d.User, "connection.password": j.d.Password,
		"table.name.format": table, "insert.mode": mode, "pk.mode": "record_value", "pk.fields": "id",
		"batch.size": fmt.Sprint(jdbcBatch), "consumer.override.max.poll.records": fmt.Sprint(jdbcBatch),
		"value.converter": avro.ConverterClass, "value.converter.schema.registry.url": j.registry,
	})
	waitFor(b, 10*time.Minute, "every row in the table", func() bool {
		if err := w.Alive(); err != nil {
			b.Fatal(err)
		}
		var hi sql.NullInt64
		_ = j.d.DB.QueryRow("SELECT MAX(id) FROM `" + table + "`").Scan(&hi)
		return hi.Valid && hi.Int64 == int64(rows)-1
	})
	elapsed := time.Since(start)
	rss, err := w.PeakRSS()
	if err != nil {
		b.Fatal(err)
	}
	w.Term()
	var n int64
	if err := j.d.DB.QueryRow("SELECT COUNT(*) FROM `" + table + "`").Scan(&n); err != nil || n != int64(rows) {
		b.Fatalf("%d rows in the table (%v), want %d", n, err, rows)
	}
	return jdbcResult{name: name, elapsed: elapsed, rss: rss, n: rows}
}

// fillTable writes the rows into a new table with the raw path.
func fillTable(b *testing.B, db *sql.DB, table string) {
	b.Helper()
	execDB(b, db, fmt.Sprintf(benchDDL, table))
	rawInsert(b, db, table, false)
}

// rawSelect reads the table through database/sql (the text protocol, as
// the connector's unprepared SELECT) and, unless produce is nil, produces
// each row, its columns' bytes joined by tabs, with a sarama AsyncProducer
// set up like sluice's, waiting for every ack.
func rawSelect(b *testing.B, db *sql.DB, table string, l *link, topic string) jdbcResult {
	b.Helper()
	start := time.Now()
	var p sarama.AsyncProducer
	var done <-chan error
	if l != nil {
		cfg, _, err := kafka.ProducerConfig("bench-jdbc-raw", l.security)
		if err != nil {
			b.Fatal(err)
		}
		if p, err = sarama.NewAsyncProducer(testkit.Addrs(l.bootstrap), cfg.Sarama); err != nil {
			b.Fatal(err)
		}
		done = awaitAcks(p, jdbcRows)
	}
	rows, err := db.Query("SELECT `" + strings.Join(benchCols, "`,`") + "` FROM `" + table + "`")
	if err != nil {
		b.Fatal(err)
	}
	raw := make([]sql.RawBytes, len(benchCols))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		n++
		if p != nil {
			var v []byte
			for i, r := range raw {
				if i > 0 {
					v = append(v, '\t')
				}
				v = append(v, r...)
			}
			p.Input() <- &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(v)}
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	rows.Close()
	if n != jdbcRows {
		b.Fatalf("SELECT read %d rows, want %d", n, jdbcRows)
	}
	name := "raw SELECT"
	if p != nil {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		p.Close()
		name = "raw SELECT + sarama producer"
	}
	return jdbcResult{name: name, elapsed: time.Since(start)}
}

// BenchmarkJDBCSourceBulk: a 1M-row table read once in bulk mode into a
// topic (Avro values through the real registry), timed from process start
// until the topic holds every row.
func BenchmarkJDBCSourceBulk(b *testing.B) { jdbcSource(b, "bulk") }

// BenchmarkJDBCSourceIncrementing: the same in incrementing mode.
func BenchmarkJDBCSourceIncrementing(b *testing.B) { jdbcSource(b, "incrementing") }

func jdbcSource(b *testing.B, mode string) {
	j := newJDBCBench(b)
	fillTable(b, j.d.DB, "src")
	client := j.client(b)
	for b.Loop() {
		rawTopic := testkit.NewTopic(b, j.l.bootstrap, 1)
		raw := rawSelect(b, j.d.DB, "src", &j.l, rawTopic)
		selectOnly := rawSelect(b, j.d.DB, "src", nil, "")
		pipe := j.source(b, client, "sluice JDBC source "+mode, jdbcsource.Class, "src", mode, jdbcRows)
		jdbcReport(b, pipe, raw, selectOnly)
	}
}

// client is a sarama client of the benchmark's broker, closed when the
// benchmark ends.
func (j jdbcBench) client(b *testing.B) sarama.Client {
	b.Helper()
	client, err := sarama.NewClient(testkit.Addrs(j.l.bootstrap), testkit.SaramaConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { client.Close() })
	return client
}

// source runs the JDBC source of class in a worker process, reading table
// of rows rows in mode into a new topic, and returns the time from process
// start until the topic holds every row.
func (j jdbcBench) source(b *testing.B, client sarama.Client, name, class, table, mode string, rows int) jdbcResult {
	b.Helper()
	prefix := testkit.NewTopic(b, j.l.bootstrap, 1) + "-"
	topic := prefix + table
	start := time.Now()
	conn := map[string]string{
		"name": "bench-jdbc-source-" + prefix, "connector.class": class,
		"connection.url": j.d.JDBCURL, "connection.user": j.d.User, "connection.password": j.d.Password,
		"mode": mode, "table.whitelist": table, "topic.prefix": prefix, "poll.interval.ms": "3600000",
		"value.converter": avro.ConverterClass, "value.converter.schema.registry.url": j.registry,
	}
	if mode == "incrementing" {
		conn["incrementing.column.name"] = "id"
		conn["poll.interval.ms"] = "1000"
	}
	w := testkit.StartWorker(b, binary, j.dir, "jdbc-source-"+mode, j.props, conn)
	waitFor(b, 10*time.Minute, "every row in the topic", func() bool {
		if err := w.Alive(); err != nil {
			b.Fatal(err)
		}
		end, err := client.GetOffset(topic, 0, sarama.OffsetNewest)
		return err == nil && end >= int64(rows)
	})
	elapsed := time.Since(start)
	rss, err := w.PeakRSS()
	if err != nil {
		b.Fatal(err)
	}
	w.Term()
	return jdbcResult{name: name, elapsed: elapsed, rss: rss, n: rows}
}
