package bench

// The change data capture benchmark: 1,000,000 single-row INSERTs into a MariaDB table (10
// columns), read from the binary log by the CDC source (Debezium's MariaDbConnector class) into
// Kafka, and in the same run by a raw baseline: go-mysql's replication package reading the same
// binary log range and decoding the rows, with no Kafka.
//
// The server is MariaDB of the benchmark's own (the binary log in ROW format, as `make
// services-up` runs the shared one), so that both readers see this benchmark's events only.
//
// Each connector first snapshots the table (one seed row) and is stopped; then the fixture writes the
// rows (outside the timed part); then each connector is started again and resumes from its
// offset: it is timed from its worker's start until its topic holds every row's event, all
// acknowledged by the broker. Avro through the real registry (what Debezium's users run) and
// JSON without schemas.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
	listener    string
}

// cdcBench is the benchmark's broker, registry and server (its database `sluice`).
type cdcBench struct {
	l        link
	registry string
	m        *testkit.MariaDB
	db       *sql.DB
	dir      string
}

func newCDCBench(b *testing.B) cdcBench {
	b.Helper()
	m := testkit.StartMariaDBWith(b, testkit.MariaDBOptions{Args: []string{"--innodb-buffer-pool-size=256M", "--max-binlog-size=1G"}})
	db, err := sql.Open("mysql", m.DSN)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return cdcBench{l: plaintext(b), registry: testkit.SchemaRegistryURL(b), m: m, db: db, dir: b.TempDir()}
}

// BenchmarkMySQLCDC measures change events/s from the binary log to Kafka for 1M single-row
// INSERTs, beside the raw go-mysql baseline over the same range, and the worker's peak RSS.
func BenchmarkMySQLCDC(b *testing.B) {
	j := newCDCBench(b)
	execDB(b, j.db, fmt.Sprintf(benchDDL, "cdc"))
	// One row for the snapshot: a source stores an offset with its first record.
	execDB(b, j.db, "INSERT INTO cdc VALUES (-1, 0, 0, 0, 0, 'seed', 'seed', 'seed', '2026-01-01', 0)")
	client, err := sarama.NewClient(testkit.Addrs(j.l.bootstrap), testkit.SaramaConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { client.Close() })
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
		// Each connector snapshots the seed row and stores an offset; then it is stopped.
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
		file, pos := binlogPosition(b, j.db)
		t0 := time.Now()
		writeSingleRowInserts(b, j.m.DSN, "cdc", jdbcRows)
		b.Logf("fixture: %d single-row INSERTs in %s", jdbcRows, time.Since(t0).Round(time.Millisecond))

		raw, bytes := rawBinlog(b, j.m.MySQLServer, "sluice", file, pos, "cdc", jdbcRows)
		var pipes []cdcResult
		for _, c := range conns {
			pipes = append(pipes, j.cdcRun(b, client, c))
		}
		cdcReport(b, raw, bytes, conns, pipes)
	}
}

// cdcConn sets up a CDC source of the table `cdc` with converters conv, in a worker of its own.
func (j cdcBench) cdcConn(b *testing.B, format string, conv map[string]string) *cdcConn {
	b.Helper()
	// Avro names allow no '-': a prefix of letters, digits and '_'.
	prefix := fmt.Sprintf("benchcdc_%s_%d", format, time.Now().UnixNano())
	c := &cdcConn{name: format, topic: prefix + ".sluice.cdc", listener: testkit.FreeListener(b)}
	c.props = workerProps(j.l, j.dir)
	c.props["listeners"] = c.listener
	c.props["offset.storage.file.filename"] = filepath.Join(j.dir, "cdc-"+format+".offsets")
	c.conn = map[string]string{
		"name": "bench-cdc-" + format, "connector.class": "io.debezium.connector.mariadb.MariaDbConnector",
		"database.hostname": "127.0.0.1", "database.port": j.m.Port(),
		"database.user": j.m.User, "database.password": j.m.Password,
		"database.server.id": strconv.Itoa(int(time.Now().UnixNano()%1_000_000_000) + 10_000),
		"topic.prefix":       prefix, "table.include.list": "sluice.cdc",
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
func (j cdcBench) cdcRun(b *testing.B, client sarama.Client, c *cdcConn) cdcResult {
	b.Helper()
	start := time.Now()
	lastCheck := start
	w := testkit.StartWorker(b, binary, j.dir, "cdc-"+c.name, c.props, c.conn)
	waitFor(b, 10*time.Minute, "every event in "+c.topic, func() bool {
		if err := w.Alive(); err != nil {
			b.Fatal(err)
		}
		if time.Since(lastCheck) > time.Second {
			lastCheck = time.Now()
			if trace := failedTrace(c.listener, c.conn["name"]); trace != "" {
				b.Fatalf("%s FAILED: %s", c.conn["name"], trace)
			}
		}
		end, err := client.GetOffset(c.topic, 0, sarama.OffsetNewest)
		return err == nil && end >= jdbcRows+1
	})
	elapsed := time.Since(start)
	rss, err := w.PeakRSS()
	if err != nil {
		b.Fatal(err)
	}
	cpu, err := w.CPUTime()
	if err != nil {
		b.Fatal(err)
	}
	w.Term()
	if end, err := client.GetOffset(c.topic, 0, sarama.OffsetNewest); err != nil || end != jdbcRows+1 {
		b.Fatalf("%s holds %d events (%v), want %d (the seed row's and one per INSERT)", c.topic, end, err, jdbcRows+1)
	}
	return cdcResult{jdbcResult{name: "sluice CDC → Kafka (" + c.name + ")", elapsed: elapsed, rss: rss, n: jdbcRows}, cpu}
}

// failedTrace returns the trace of a connector or its task that is FAILED, "" otherwise (also
// when the REST API does not answer yet).
func failedTrace(listener, name string) string {
	resp, err := http.Get(listener + "/connectors/" + name + "/status")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var st struct {
		Connector struct{ State, Trace string }
		Tasks     []struct{ State, Trace string }
	}
	if json.NewDecoder(resp.Body).Decode(&st) != nil {
		return ""
	}
	if st.Connector.State == "FAILED" {
		return st.Connector.Trace
	}
	for _, t := range st.Tasks {
		if t.State == "FAILED" {
			return t.Trace
		}
	}
	return ""
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
func writeSingleRowInserts(b *testing.B, dsn, table string, rows int) {
	b.Helper()
	cfg, err := mysql.ParseDSN(dsn)
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
func rawBinlog(b *testing.B, d testkit.MySQLServer, dbName, file string, pos uint32, table string, rows int) (cdcResult, int64) {
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
	cpu0 := processCPU(b)
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
		if re, ok := ev.Event.(*replication.RowsEvent); ok && string(re.Table.Schema) == dbName && string(re.Table.Table) == table {
			n += len(re.Rows)
		}
	}
	elapsed := time.Since(start)
	return cdcResult{jdbcResult{name: "raw go-mysql binlog read + row decode", elapsed: elapsed, n: rows}, processCPU(b) - cpu0}, bytes
}

// processCPU returns the CPU time (user and system) the benchmark's process has used: around
// the raw reader, its cost (the process does nothing else meanwhile).
func processCPU(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cdcResult is a run of the CDC benchmark and the CPU time it used.
type cdcResult struct {
	jdbcResult
	cpu time.Duration
}

// cpuPerEvent is the CPU time r used per event, in microseconds. On a shared machine it is
// steadier than events/s: the wall time counts the time the run waited for a CPU.
func cpuPerEvent(r cdcResult) float64 { return float64(r.cpu.Microseconds()) / float64(r.n) }

// cdcReport prints and reports the CDC runs against the raw baseline; MB/s are binary log bytes.
func cdcReport(b *testing.B, raw cdcResult, bytes int64, conns []*cdcConn, pipes []cdcResult) {
	b.Helper()
	for i, p := range pipes {
		unit := conns[i].name
		b.ReportMetric(p.rowsPerSec(), unit+"-events/s")
		b.ReportMetric(float64(bytes)/p.elapsed.Seconds()/1e6, unit+"-binlog-MB/s")
		b.ReportMetric(p.rowsPerSec()/raw.rowsPerSec(), unit+"-ratio-to-raw")
		b.ReportMetric(float64(p.rss)/(1<<20), unit+"-worker-peak-RSS-MiB")
		b.ReportMetric(cpuPerEvent(p), unit+"-cpu-µs/event")
		b.ReportMetric(cpuPerEvent(raw)/cpuPerEvent(p), unit+"-cpu-ratio-to-raw")
	}
	b.ReportMetric(raw.rowsPerSec(), "raw-events/s")
	b.ReportMetric(cpuPerEvent(raw), "raw-cpu-µs/event")
	fmt.Printf("\n%-48s %12s %10s %12s %10s %12s\n", b.Name(), "events/s", "seconds", "binlog MB/s", "peak RSS", "CPU µs/event")
	fmt.Printf("%-48s %12.0f %10.2f %12.1f %10s %12.1f\n", raw.name, raw.rowsPerSec(), raw.elapsed.Seconds(), float64(bytes)/raw.elapsed.Seconds()/1e6, "-", cpuPerEvent(raw))
	for _, p := range pipes {
		fmt.Printf("%-48s %12.0f %10.2f %12.1f %9.1fM %12.1f\n", p.name, p.rowsPerSec(), p.elapsed.Seconds(), float64(bytes)/p.elapsed.Seconds()/1e6, float64(p.rss)/(1<<20), cpuPerEvent(p))
	}
	for _, p := range pipes {
		fmt.Printf("%-48s %11.0f%% (CPU per event: %.0f%%)\n", "sluice / raw: "+p.name, 100*p.rowsPerSec()/raw.rowsPerSec(), 100*cpuPerEvent(raw)/cpuPerEvent(p))
	}
	fmt.Println()
}
