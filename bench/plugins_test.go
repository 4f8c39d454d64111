package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/connectors/file"
	jdbcsink "github.com/sluicehq/sluice/connectors/jdbc/sink"
	jdbcsource "github.com/sluicehq/sluice/connectors/jdbc/source"
	"github.com/sluicehq/sluice/internal/testkit"
)

// The classes bench/internal/fileplugin serves sluice's file connectors as,
// and bench/internal/jdbcplugin its JDBC connectors.
const (
	pluginSourceClass     = "bench.plugin.FileStreamSourceConnector"
	pluginSinkClass       = "bench.plugin.FileStreamSinkConnector"
	pluginJDBCSinkClass   = "bench.plugin.JdbcSinkConnector"
	pluginJDBCSourceClass = "bench.plugin.JdbcSourceConnector"
)

// buildPlugin builds the command bench/internal/<name> into a new
// plugin.path directory and returns the directory.
func buildPlugin(b *testing.B, name string) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "plugins")
	out, err := exec.Command("go", "build", "-o", filepath.Join(dir, name), "./internal/"+name).CombinedOutput()
	if err != nil {
		b.Fatalf("build %s: %v\n%s", name, err, out)
	}
	return dir
}

// reportHop reports a connector run as a plugin.path plugin and linked in
// in the same run: both rates, the ratio, and the time the plugin took
// longer per record (the gRPC hop, end to end). linked[0] is the reference;
// any further linked runs are only printed. MB/s is reported when
// bytesPerRecord is not zero.
func reportHop(b *testing.B, bytesPerRecord int, plugin result, linked ...result) {
	b.Helper()
	mbPerSec := func(r result) float64 { return r.recPerSec() * float64(bytesPerRecord) / 1e6 }
	ratio := plugin.recPerSec() / linked[0].recPerSec()
	hop := float64(plugin.elapsed-linked[0].elapsed) / float64(plugin.count())
	b.ReportMetric(linked[0].recPerSec(), "linked-records/s")
	b.ReportMetric(plugin.recPerSec(), "plugin-records/s")
	if bytesPerRecord != 0 {
		b.ReportMetric(mbPerSec(plugin), "plugin-MB/s")
	}
	b.ReportMetric(ratio, "plugin-to-linked")
	b.ReportMetric(hop, "hop-ns/record")
	b.ReportMetric(float64(plugin.rss)/(1<<20), "plugin-worker-peak-RSS-MiB")
	fmt.Printf("\n%-44s %12s %10s %10s %10s\n", b.Name(), "records/s", "MB/s", "time", "peak RSS")
	for _, r := range append(linked, plugin) {
		mb := "-"
		if bytesPerRecord != 0 {
			mb = fmt.Sprintf("%.1f", mbPerSec(r))
		}
		// The worker's own peak RSS; a plugin's processes are not counted.
		fmt.Printf("%-44s %12.0f %10s %10s %9.1fM\n", r.name, r.recPerSec(), mb, r.elapsed.Round(time.Millisecond), float64(r.rss)/(1<<20))
	}
	fmt.Printf("%-44s %11.0f%%\n%-44s %10.0f ns\n\n", "plugin / "+linked[0].name, 100*ratio, "hop per record (end to end)", hop)
}

// BenchmarkPluginPathFileToKafka: the file source reading 1,000,000 lines
// into a topic, linked into the worker and then as a plugin.path plugin
// (the same code, bench/internal/fileplugin), each timed from worker
// process start until the topic holds every record. Both workers scan the
// same plugin.path at start-up.
func BenchmarkPluginPathFileToKafka(b *testing.B) {
	l := plaintext(b)
	pluginDir := buildPlugin(b, "fileplugin")
	dir := b.TempDir()
	input := filepath.Join(dir, "in.txt")
	writeInput(b, input)
	client, err := sarama.NewClient(testkit.Addrs(l.bootstrap), testkit.SaramaConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	props := workerProps(l, dir)
	props["plugin.path"] = pluginDir
	run := func(name, class string) result {
		topic := testkit.NewTopic(b, l.bootstrap, 1)
		start := time.Now()
		w := testkit.StartWorker(b, binary, dir, "source-"+topic, props, map[string]string{
			"name": "bench-source-" + topic, "connector.class": class, "file": input, "topic": topic,
		})
		waitFor(b, 5*time.Minute, "every record in the topic", func() bool { return endOffset(b, client, topic) >= records })
		elapsed := time.Since(start)
		rss, err := w.PeakRSS()
		if err != nil {
			b.Fatal(err)
		}
		w.Term()
		return result{name: name, elapsed: elapsed, rss: rss}
	}
	for b.Loop() {
		linked := run("file source, linked in", file.SourceClass)
		plugin := run("file source, plugin.path", pluginSourceClass)
		reportHop(b, lineSize, plugin, linked)
	}
}

// BenchmarkPluginPathKafkaToFile: the file sink writing a topic of
// 1,000,000 records to a file, linked in and then as a plugin.path plugin,
// each timed from worker process start until the file holds every record.
func BenchmarkPluginPathKafkaToFile(b *testing.B) {
	l := plaintext(b)
	warmCoordinator(b, l.bootstrap)
	pluginDir := buildPlugin(b, "fileplugin")
	dir := b.TempDir()
	input := filepath.Join(dir, "in.txt")
	writeInput(b, input)
	props := workerProps(l, dir)
	props["plugin.path"] = pluginDir
	run := func(name, class, topic string) result {
		output := filepath.Join(dir, "out-"+class+"-"+topic+".txt")
		start := time.Now()
		w := testkit.StartWorker(b, binary, dir, "sink-"+class+"-"+topic, props, map[string]string{
			"name": "bench-sink-" + class + "-" + topic, "connector.class": class, "file": output, "topics": topic,
		})
		waitFor(b, 5*time.Minute, "every record in the file", func() bool {
			st, err := os.Stat(output)
			return err == nil && st.Size() >= records*lineSize
		})
		elapsed := time.Since(start)
		rss, err := w.PeakRSS()
		if err != nil {
			b.Fatal(err)
		}
		w.Term()
		return result{name: name, elapsed: elapsed, rss: rss}
	}
	for b.Loop() {
		topic := fillTopic(b, l, input)
		linked := run("file sink, linked in", file.SinkClass, topic)
		plugin := run("file sink, plugin.path", pluginSinkClass, topic)
		reportHop(b, lineSize, plugin, linked)
	}
}

// meanLinked is the mean of two linked-in runs, one before the plugin's and
// one after it: the database is still flushing one run's writes during the
// next (and the broker's page cache warms), so neither alone is a fair
// reference.
func meanLinked(before, after jdbcResult) []result {
	mean := result{name: "linked in (mean time)", elapsed: (before.elapsed + after.elapsed) / 2, n: before.n}
	return []result{mean, result(before), result(after)}
}

// BenchmarkPluginPathJDBCSink: the JDBC sink writing a topic of 2,000,000
// Avro records (BenchmarkJDBCSinkInsert's rows and more of them, so that
// each run takes over 10 s) into an empty MariaDB table
// (insert.mode=insert, batch.size and max.poll.records 3000, as
// BenchmarkJDBCSinkInsert), linked into the worker, then as a plugin.path
// plugin (bench/internal/jdbcplugin serves the very same connector code),
// then linked in again; each timed from worker process start until the
// table holds every row. All three workers scan the same plugin.path.
func BenchmarkPluginPathJDBCSink(b *testing.B) {
	j := newJDBCBench(b)
	j.props["plugin.path"] = buildPlugin(b, "jdbcplugin")
	warmCoordinator(b, j.l.bootstrap)
	const rows = 2 * jdbcRows
	for b.Loop() {
		topic := fillAvroTopic(b, j.l, j.registry, rows)
		before := j.sink(b, "JDBC sink, linked in (before)", jdbcsink.Class, topic, "linked_before", "insert", rows)
		plugin := j.sink(b, "JDBC sink, plugin.path", pluginJDBCSinkClass, topic, "plugin", "insert", rows)
		after := j.sink(b, "JDBC sink, linked in (after)", jdbcsink.Class, topic, "linked_after", "insert", rows)
		reportHop(b, 0, result(plugin), meanLinked(before, after)...)
	}
}

// BenchmarkPluginPathJDBCSource: the JDBC source reading a 2,000,000-row
// MariaDB table (BenchmarkJDBCSourceBulk's rows, twice, so that each run
// takes over 10 s) in bulk mode into a topic (Avro values through the
// registry), linked in, as a plugin.path plugin, and linked in again; each
// timed from worker process start until the topic holds every row.
func BenchmarkPluginPathJDBCSource(b *testing.B) {
	j := newJDBCBench(b)
	j.props["plugin.path"] = buildPlugin(b, "jdbcplugin")
	fillTable(b, j.d.DB, "src")
	execDB(b, j.d.DB, fmt.Sprintf("INSERT INTO src SELECT id+%d,%s FROM src", jdbcRows, strings.Join(benchCols[1:], ",")))
	const rows = 2 * jdbcRows
	client := j.client(b)
	for b.Loop() {
		before := j.source(b, client, "JDBC source, linked in (before)", jdbcsource.Class, "src", "bulk", rows)
		plugin := j.source(b, client, "JDBC source, plugin.path", pluginJDBCSourceClass, "src", "bulk", rows)
		after := j.source(b, client, "JDBC source, linked in (after)", jdbcsource.Class, "src", "bulk", rows)
		reportHop(b, 0, result(plugin), meanLinked(before, after)...)
	}
}
