package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/sluicehq/sluice/connectors/file"
)

// demoTopic is the topic of the dev pipeline.
const demoTopic = "sluice-demo"

// runDev starts an in-process Kafka-compatible broker (franz-go's kfake,
// persisted under dir) and a demo pipeline on a standalone worker:
// generated lines → file source → topic → file sink → output file.
func runDev(ctx context.Context, dir string, stdout io.Writer, log *slog.Logger) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.DataDir(filepath.Join(dir, "kafka")),
		kfake.AllowAutoTopicCreation(), kfake.SeedTopics(1, demoTopic))
	if err != nil {
		return fmt.Errorf("start embedded broker: %w", err)
	}
	defer cluster.Close()
	bootstrap := strings.Join(cluster.ListenAddrs(), ",")

	input, output := filepath.Join(dir, "demo-input.txt"), filepath.Join(dir, "demo-output.txt")
	worker := map[string]string{
		"bootstrap.servers":            bootstrap,
		"key.converter":                "org.apache.kafka.connect.storage.StringConverter",
		"value.converter":              "org.apache.kafka.connect.storage.StringConverter",
		"offset.storage.file.filename": filepath.Join(dir, "offsets.json"),
		"offset.flush.interval.ms":     "1000",
		"config.storage.file.filename": filepath.Join(dir, "connectors.json"),
		"listeners":                    "http://:8083",
		"config.providers":             "env,file",
		"config.providers.env.class":   "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
		"config.providers.file.class":  "org.apache.kafka.common.config.provider.FileConfigProvider",
	}
	source := map[string]string{
		"name": "demo-source", "connector.class": "FileStreamSource", "tasks.max": "1",
		file.FileKey: input, file.TopicKey: demoTopic,
	}
	sink := map[string]string{
		"name": "demo-sink", "connector.class": "FileStreamSink", "tasks.max": "1",
		file.FileKey: output, "topics": demoTopic,
	}
	fmt.Fprintf(stdout, `sluice dev: an embedded broker and a demo pipeline

  broker      %s (franz-go kfake, data in %s)
  pipeline    %s  →  FileStreamSource "demo-source"  →  topic %q
              →  FileStreamSink "demo-sink"  →  %s
  offsets     %s
  REST API    http://localhost:8083  (Kafka Connect's API)

A line is appended to the input every second. Watch it arrive:
  tail -f %s
Look at the pipeline through the REST API, with curl or sluice's CLI:
  curl -s localhost:8083/connectors?expand=status
  sluice connectors list
  sluice connectors pause demo-source
Stop with Ctrl-C: tasks drain and commit, and the next run resumes where this one stopped.

`, bootstrap, filepath.Join(dir, "kafka"), input, demoTopic, output, worker["offset.storage.file.filename"], output)

	go generate(ctx, input, log)
	return runWorker(ctx, worker, []map[string]string{source, sink}, log, nil)
}

// generate appends a line to path every second until ctx ends.
func generate(ctx context.Context, path string, log *slog.Logger) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		log.Error("demo generator", "err", err)
		return
	}
	defer f.Close()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for n := 1; ; n++ {
		if _, err := fmt.Fprintf(f, "demo line %d written at %s\n", n, time.Now().Format(time.RFC3339)); err != nil {
			log.Error("demo generator", "err", err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
