package bench

// The change data capture benchmark: 1,000,000 single-row INSERTs into a MariaDB table (10
// columns), read from the binary log by the CDC source (Debezium's MariaDbConnector class) into
// Kafka, and in the same run by a raw baseline: go-mysql's replication package reading the same
// binary log range and decoding the rows, with no Kafka.
//
// Each connector first captures the (empty) table and is stopped; then the fixture writes the
// rows (outside the timed part); then each connector is started again and resumes from its
// offset: it is timed from its worker's start until its topic holds every row's event, all
// acknowledged by the broker. Avro through the real registry (what Debezium's users run) and
// JSON without schemas.

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	gomysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/go-sql-driver/mysql"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas/avro"
)

// cdcBenchTxn is how many single-row INSERTs the fixture sends in one transaction (one
// multi-statement round trip).
const cdcBenchTxn = 1000

// cdcConn is one CDC source of the benchmark: its worker's files and its configuration.
type cdcConn struct {
	name, topic string
	props, conn map[string]string
}

// BenchmarkMySQLCDC measures change events/s from the binary log to Kafka for 1M single-row
// INSERTs, beside the raw go-mysql baseline over the same range, and the worker's peak RSS.
func BenchmarkMySQLCDC(b *testing.B) {
	j := newJDBCBench(b)
	execDB(b, j.d.DB, fmt.Sprintf(benchDDL, "cdc"))
	client := j.client(b)
	for b.Loop() {
		conns := []*cdcConn{
			j.cdcConn(b, "avro", map[string]string{
				"key.converter": avro.ConverterClass, "key.converter.schema.registry.url": j.registry,
				"value.converter": avro.ConverterClass, "value.converter.schema.registry.url": j.registry,
			}),
			j.cdcConn(b, "json", map[string]string{
				"key.converter": "org.apache.kafka.connect.json.JsonConverter", "key.converter.schemas.enable": "false",
				"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
			}),
		}
		// Each connector captures the empty table and stores an offset; then it is stopped.
		for _, c := range conns {
			w := testkit.StartWorker(b, binary, j.dir, "cdc-"+c.name+"-init", c.props, c.conn)
			waitFor(b, 2*time.Minute, "an offset of "+c.name, func() bool {
				if err := w.Alive(); err != nil {
					b.Fatal(err)
				}
				return cdcOffsetStored(c.props["offset.storage.file.filename"])
			})
			w.Term()
		}
		file, pos := binlogPosition(b, j.d.DB)
		t0 := time.Now()
		writeSingleRowInserts(b, j.d, "cdc", jdbcRows)
		b.Logf("fixture: %d single-row INSERTs in %s", jdbcRows, time.Since(t0).Round(time.Millisecond))

		raw, bytes := rawBinlog(b, j.d, file, pos, "cdc", jdbcRows)
		var pipes []jdbcResult
		for _, c := range conns {
			pipes = append(pipes, j.cdcRun(b, client, c))
		}
		cdcReport(b, raw, bytes, conns, pipes)
	}
}

// cdcConn sets up a CDC source of the table `cdc` with converters conv, in a worker of its own.
func (j jdbcBench) cdcConn(b *testing.B, format string, conv map[string]string) *cdcConn {
	b.Helper()
	prefix := testkit.NewTopic(b, j.l.bootstrap, 1)
	c := &cdcConn{name: format, topic: prefix + "." + j.d.Name + ".cdc"}
	c.props = workerProps(j.l, j.dir)
	c.props["offset.storage.file.filename"] = filepath.Join(j.dir, "cdc-"+format+".offsets")
	c.conn = map[string]string{
		"name": "bench-cdc-" + format, "connector.class": "io.debezium.connector.mariadb.MariaDbConnector",
		"database.hostname": "127.0.0.1", "database.port": j.d.Port(),
		"database.user": j.d.User, "database.password": j.d.Password,
		"database.server.id": strconv.Itoa(int(time.Now().UnixNano()%1_000_000_000) + 10_000),
		"topic.prefix":       prefix, "table.include.list": j.d.Name + ".cdc",
		"schema.history.internal.kafka.topic":             prefix + "-history",
		"schema.history.internal.kafka.bootstrap.servers": j.l.bootstrap,
		"include.schema.changes":                          "false",
	}
	for k, v := range conv {
		c.conn[k] = v
	}
	return c
}

// cdcRun starts the connector's worker again and returns the time from its start until its
// topic holds an event for every row.
func (j jdbcBench) cdcRun(b *testing.B, client sarama.Client, c *cdcConn) jdbcResult {
	b.Helper()
	start := time.Now()
	w := testkit.StartWorker(b, binary, j.dir, "cdc-"+c.name, c.props, c.conn)
	waitFor(b, 10*time.Minute, "every event in "+c.topic, func() bool {
		if err := w.Alive(); err != nil {
			b.Fatal(err)
		}
		end, err := client.GetOffset(c.topic, 0, sarama.OffsetNewest)
		return err == nil && end >= jdbcRows
	})
	elapsed := time.Since(start)
	rss, err := w.PeakRSS()
	if err != nil {
		b.Fatal(err)
	}
	w.Term()
	if end, err := client.GetOffset(c.topic, 0, sarama.OffsetNewest); err != nil || end != jdbcRows {
		b.Fatalf("%s holds %d events (%v), want %d", c.topic, end, err, jdbcRows)
	}
	return jdbcResult{name: "sluice CDC → Kafka (" + c.name + ")", elapsed: elapsed, rss: rss, n: jdbcRows}
}

// cdcOffsetStored reports whether a standalone worker's offsets file holds an offset.
func cdcOffsetStored(path string) bool {
	b, err := os.ReadFile(path)
	return err == nil && strings.Contains(string(b), `"server"`)
}

// binlogPosition returns the server's current binary log file and position.
func binlogPosition(b *testing.B, db *sql.DB) (string, uint32) {
	b.Helper()
	rows, err := db.Query("SHOW MASTER STATUS")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil || !rows.Next() {
		b.Fatalf("SHOW MASTER STATUS: no row (%v): is the binary log on?", err)
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		b.Fatal(err)
	}
	pos, err := strconv.ParseUint(string(vals[1]), 10, 32)
	if err != nil {
		b.Fatalf("SHOW MASTER STATUS: position %q: %v", vals[1], err)
	}
	return string(vals[0]), uint32(pos)
}

// writeSingleRowInserts inserts rows rows of benchRow into table, one row per INSERT, in
// transactions of cdcBenchTxn statements sent as one multi-statement query, on two connections.
func writeSingleRowInserts(b *testing.B, d testkit.Database, table string, rows int) {
	b.Helper()
	cfg, err := mysql.ParseDSN(d.DSN)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MultiStatements = true
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const writers = 2
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for wi := range writers {
		wg.Go(func() {
			var s strings.Builder
			for from := wi * cdcBenchTxn; from < rows; from += writers * cdcBenchTxn {
				s.Reset()
				s.WriteString("BEGIN;")
				for n := from; n < min(from+cdcBenchTxn, rows); n++ {
					v := benchRow(n)
					fmt.Fprintf(&s, "INSERT INTO `%s` VALUES (%d,%d,%d,%g,%d,'%s','%s','%s','%s',%d);", table,
						v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8].(time.Time).Format("2006-01-02 15:04:05.000"), v[9])
				}
				s.WriteString("COMMIT")
				if _, err := db.Exec(s.String()); err != nil {
					errs <- fmt.Errorf("insert rows from %d: %w", from, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// rawBinlog reads the binary log from file:pos with go-mysql's BinlogSyncer (rows decoded, as
// its default is) until it has seen rows row images of table, and returns the time and the
// bytes of the events read.
func rawBinlog(b *testing.B, d testkit.Database, file string, pos uint32, table string, rows int) (jdbcResult, int64) {
	b.Helper()
	port, err := strconv.ParseUint(d.Port(), 10, 16)
	if err != nil {
		b.Fatal(err)
	}
	syncer := replication.NewBinlogSyncer(replication.BinlogSyncerConfig{
		ServerID: uint32(time.Now().UnixNano()%1_000_000_000) + 2_000_000_000, Flavor: gomysql.MariaDBFlavor,
		Host: "127.0.0.1", Port: uint16(port), User: d.User, Password: d.Password,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	defer syncer.Close()
	start := time.Now()
	streamer, err := syncer.StartSync(gomysql.Position{Name: file, Pos: pos})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	n, bytes := 0, int64(0)
	for n < rows {
		ev, err := streamer.GetEvent(ctx)
		if err != nil {
			b.Fatalf("raw binlog reader after %d rows: %v", n, err)
		}
		bytes += int64(ev.Header.EventSize)
		if re, ok := ev.Event.(*replication.RowsEvent); ok && string(re.Table.Schema) == d.Name && string(re.Table.Table) == table {
			n += len(re.Rows)
		}
	}
	return jdbcResult{name: "raw go-mysql binlog read + row decode", elapsed: time.Since(start), n: rows}, bytes
}

// cdcReport prints and reports the CDC runs against the raw baseline; MB/s are binary log bytes.
func cdcReport(b *testing.B, raw jdbcResult, bytes int64, conns []*cdcConn, pipes []jdbcResult) {
	b.Helper()
	for i, p := range pipes {
		unit := conns[i].name
		b.ReportMetric(p.rowsPerSec(), unit+"-events/s")
		b.ReportMetric(float64(bytes)/p.elapsed.Seconds()/1e6, unit+"-binlog-MB/s")
		b.ReportMetric(p.rowsPerSec()/raw.rowsPerSec(), unit+"-ratio-to-raw")
		b.ReportMetric(float64(p.rss)/(1<<20), unit+"-worker-peak-RSS-MiB")
	}
	b.ReportMetric(raw.rowsPerSec(), "raw-events/s")
	fmt.Printf("\n%-48s %12s %10s %12s %10s\n", b.Name(), "events/s", "seconds", "binlog MB/s", "peak RSS")
	fmt.Printf("%-48s %12.0f %10.2f %12.1f %10s\n", raw.name, raw.rowsPerSec(), raw.elapsed.Seconds(), float64(bytes)/raw.elapsed.Seconds()/1e6, "-")
	for _, p := range pipes {
		fmt.Printf("%-48s %12.0f %10.2f %12.1f %9.1fM\n", p.name, p.rowsPerSec(), p.elapsed.Seconds(), float64(bytes)/p.elapsed.Seconds()/1e6, float64(p.rss)/(1<<20))
	}
	for _, p := range pipes {
		fmt.Printf("%-48s %11.0f%%\n", "sluice / raw: "+p.name, 100*p.rowsPerSec()/raw.rowsPerSec())
	}
	fmt.Println()
}
