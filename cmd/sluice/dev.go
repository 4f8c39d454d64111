package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/sluicehq/sluice/connectors/file"
	"github.com/sluicehq/sluice/schemas/avro"
)

// demoTopic is the topic of the dev pipeline.
const demoTopic = "sluice-demo"

// runDev starts an in-process Kafka-compatible broker (franz-go's kfake,
// persisted under dir), an in-process Schema Registry (srfake, journaled
// under dir) and a demo pipeline on a standalone worker: datagen orders →
// AvroConverter → topic → AvroConverter → file sink → output file.
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

	registry, err := startDevRegistry("127.0.0.1:8081", filepath.Join(dir, "schemas.jsonl"))
	if err != nil {
		return err
	}
	defer registry.Close()

	output := filepath.Join(dir, "demo-output.txt")
	worker := map[string]string{
		"bootstrap.servers":                   bootstrap,
		"key.converter":                       "org.apache.kafka.connect.storage.StringConverter",
		"value.converter":                     avro.ConverterClass,
		"value.converter.schema.registry.url": registry.URL(),
		"offset.storage.file.filename":        filepath.Join(dir, "offsets.json"),
		"offset.flush.interval.ms":            "1000",
		"config.storage.file.filename":        filepath.Join(dir, "connectors.json"),
		"listeners":                           "http://:8083",
		"config.providers":                    "env,file",
		"config.providers.env.class":          "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
		"config.providers.file.class":         "org.apache.kafka.common.config.provider.FileConfigProvider",
	}
	source := map[string]string{
		"name": "demo-source", "connector.class": "DatagenConnector", "tasks.max": "1",
		"kafka.topic": demoTopic, "quickstart": "orders", "max.interval": "1000",
	}
	sink := map[string]string{
		"name": "demo-sink", "connector.class": "FileStreamSink", "tasks.max": "1",
		file.FileKey: output, "topics": demoTopic,
	}
	fmt.Fprintf(stdout, `sluice dev: an embedded broker, schema registry and a demo pipeline

  broker      %s (franz-go kfake, data in %s)
  registry    %s (franz-go srfake, schemas kept in %s)
  pipeline    DatagenConnector "demo-source" (orders)  →  AvroConverter  →  topic %q
              →  AvroConverter  →  FileStreamSink "demo-sink"  →  %s
  offsets     %s
  REST API    http://localhost:8083  (Kafka Connect's API)

An order is generated every second or so. Watch it arrive, and look at its Avro schema:
  tail -f %s
  curl -s %s/subjects/%s-value/versions/latest
Look at the pipeline through the REST API, with curl or sluice's CLI:
  curl -s localhost:8083/connectors?expand=status
  sluice connectors list
  sluice connectors pause demo-source
Stop with Ctrl-C: tasks drain and commit, and the next run resumes where this one stopped.

`, bootstrap, filepath.Join(dir, "kafka"), registry.URL(), filepath.Join(dir, "schemas.jsonl"), demoTopic, output,
		worker["offset.storage.file.filename"], output, registry.URL(), demoTopic)

	return runWorker(ctx, worker, []map[string]string{source, sink}, log, nil)
}
