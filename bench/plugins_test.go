package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/connectors/file"
	"github.com/sluicehq/sluice/internal/testkit"
)

// The classes bench/internal/fileplugin serves sluice's file connectors as.
const (
	pluginSourceClass = "bench.plugin.FileStreamSourceConnector"
	pluginSinkClass   = "bench.plugin.FileStreamSinkConnector"
)

// buildFilePlugin builds bench/internal/fileplugin into a new plugin.path
// directory and returns the directory.
func buildFilePlugin(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "plugins")
	out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "fileplugin"), "./internal/fileplugin").CombinedOutput()
	if err != nil {
		b.Fatalf("build the file plugin: %v\n%s", err, out)
	}
	return dir
}

// reportHop reports a connector run linked in and as a plugin.path plugin
// in the same run: both rates, the ratio, and the time the plugin took
// longer per record (the gRPC hop, end to end).
func reportHop(b *testing.B, linked, plugin result) {
	b.Helper()
	ratio := plugin.recPerSec() / linked.recPerSec()
	hop := float64(plugin.elapsed-linked.elapsed) / records
	b.ReportMetric(linked.recPerSec(), "linked-records/s")
	b.ReportMetric(plugin.recPerSec(), "plugin-records/s")
	b.ReportMetric(plugin.mbPerSec(), "plugin-MB/s")
	b.ReportMetric(ratio, "plugin-to-linked")
	b.ReportMetric(hop, "hop-ns/record")
	fmt.Printf("\n%-32s %12s %10s %10s\n", b.Name(), "records/s", "MB/s", "time")
	for _, r := range []result{linked, plugin} {
		fmt.Printf("%-32s %12.0f %10.1f %10s\n", r.name, r.recPerSec(), r.mbPerSec(), r.elapsed.Round(time.Millisecond))
	}
	fmt.Printf("%-32s %11.0f%%\n%-32s %10.0f ns\n\n", "plugin / linked", 100*ratio, "hop per record (end to end)", hop)
}

// BenchmarkPluginPathFileToKafka: the file source reading 1,000,000 lines
// into a topic, linked into the worker and then as a plugin.path plugin
// (the same code, bench/internal/fileplugin), each timed from worker
// process start until the topic holds every record. Both workers scan the
// same plugin.path at start-up.
func BenchmarkPluginPathFileToKafka(b *testing.B) {
	l := plaintext(b)
	pluginDir := buildFilePlugin(b)
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
		w.Term()
		return result{name: name, elapsed: elapsed}
	}
	for b.Loop() {
		linked := run("file source, linked in", file.SourceClass)
		plugin := run("file source, plugin.path", pluginSourceClass)
		reportHop(b, linked, plugin)
	}
}

// BenchmarkPluginPathKafkaToFile: the file sink writing a topic of
// 1,000,000 records to a file, linked in and then as a plugin.path plugin,
// each timed from worker process start until the file holds every record.
func BenchmarkPluginPathKafkaToFile(b *testing.B) {
	l := plaintext(b)
	warmCoordinator(b, l.bootstrap)
	pluginDir := buildFilePlugin(b)
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
		w.Term()
		return result{name: name, elapsed: elapsed}
	}
	for b.Loop() {
		topic := fillTopic(b, l, input)
		linked := run("file sink, linked in", file.SinkClass, topic)
		plugin := run("file sink, plugin.path", pluginSinkClass, topic)
		reportHop(b, linked, plugin)
	}
}
