package sluicecmd

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/sluicehq/sluice/connectors/file"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/schemas/avro"
)

// demoTopic is the topic of the dev pipeline.
const demoTopic = "sluice-demo"

// defaultDevListen is where sluice dev serves the REST API unless --listen
// says otherwise: loopback only, since the API creates connectors that read
// and write files and resolve config providers.
const defaultDevListen = "127.0.0.1:8083"

// runDev starts an in-process Kafka-compatible broker (franz-go's kfake,
// persisted under dir), an in-process Schema Registry (srfake, journaled
// under dir) and a demo pipeline on a standalone worker: datagen orders →
// AvroConverter → topic → AvroConverter → file sink → output file. The
// REST API listens on listen (host:port). Everything is bound to loopback
// but the REST API, if listen says otherwise; the worker's file
// connectors and file providers are restricted to dir, and its env
// provider to variables named SLUICE_DEV_*.
func runDev(ctx context.Context, o *options, dir, listen string, stdout io.Writer, log *slog.Logger) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	// A taken port is said before anything starts or is printed: the
	// banner's commands, and the CLI's default URL, must reach this
	// worker, not whatever holds the port.
	listen, err = checkDevListen(listen)
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
	worker := devWorkerProps(dir, bootstrap, registry.URL(), listen)
	source := map[string]string{
		"name": "demo-source", "connector.class": "DatagenConnector", "tasks.max": "1",
		"kafka.topic": demoTopic, "quickstart": "orders", "max.interval": "1000",
	}
	sink := map[string]string{
		"name": "demo-sink", "connector.class": "FileStreamSink", "tasks.max": "1",
		file.FileKey: output, "topics": demoTopic,
	}
	restURL := devURL(listen)
	urlFlag := ""
	if listen != defaultDevListen {
		urlFlag = " --url " + restURL
	}
	fmt.Fprintf(stdout, `sluice dev: an embedded broker, schema registry and a demo pipeline

  broker      %s (franz-go kfake, data in %s)
  registry    %s (franz-go srfake, schemas kept in %s)
  pipeline    DatagenConnector "demo-source" (orders)  →  AvroConverter  →  topic %q
              →  AvroConverter  →  FileStreamSink "demo-sink"  →  %s
  offsets     %s
  REST API    %s  (Kafka Connect's API)
  Web console %s/ui/
  files       file connectors and ${file:…} / ${dir:…} limited to %s; ${env:…} to SLUICE_DEV_*

An order is generated every second or so. Watch it arrive, and look at its Avro schema:
  tail -f %s
  curl -s %s/subjects/%s-value/versions/latest
Look at the pipeline through the REST API, with curl or sluice's CLI:
  curl -s %s/connectors?expand=status
  sluice connectors%s list
  sluice connectors%s pause demo-source
Stop with Ctrl-C: tasks drain and commit, and the next run resumes where this one stopped.

`, bootstrap, filepath.Join(dir, "kafka"), registry.URL(), filepath.Join(dir, "schemas.jsonl"), demoTopic, output,
		worker["offset.storage.file.filename"], restURL, restURL, dir, output, registry.URL(), demoTopic, restURL, urlFlag, urlFlag)

	return runWorker(ctx, o, worker, []map[string]string{source, sink}, log, nil)
}

// devWorkerProps is sluice dev's worker configuration. The REST API listens
// on listen; the file connectors and the file and directory providers may
// use dir only (so that a client of the API cannot read or copy other
// files), and the env provider only variables named SLUICE_DEV_* (so that it
// cannot read the credentials of the shell sluice dev was started from,
// say into a topic name).
func devWorkerProps(dir, bootstrap, registryURL, listen string) map[string]string {
	return map[string]string{
		"bootstrap.servers":                            bootstrap,
		"key.converter":                                "org.apache.kafka.connect.storage.StringConverter",
		"value.converter":                              avro.ConverterClass,
		"value.converter.schema.registry.url":          registryURL,
		"offset.storage.file.filename":                 filepath.Join(dir, "offsets.json"),
		"offset.flush.interval.ms":                     "1000",
		"config.storage.file.filename":                 filepath.Join(dir, "connectors.json"),
		"listeners":                                    "http://" + listen,
		runtime.FileConnectorAllowedPaths:              dir,
		"config.providers":                             "env,file,dir",
		"config.providers.env.class":                   "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
		"config.providers.env.param.allowlist.pattern": "SLUICE_DEV_.*",
		"config.providers.file.class":                  "org.apache.kafka.common.config.provider.FileConfigProvider",
		"config.providers.file.param.allowed.paths":    dir,
		"config.providers.dir.class":                   "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
		"config.providers.dir.param.allowed.paths":     dir,
	}
}

// checkDevListen checks that listen is a host:port sluice dev can bind,
// and returns it with port 0 replaced by the port the system chose. The
// port is released just before the REST API binds it again.
func checkDevListen(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("invalid --listen %q: want host:port, e.g. %s", listen, defaultDevListen)
	}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return "", fmt.Errorf("cannot serve the REST API on %s (port %s): %w; stop what uses that port, or pick another with --listen %s",
			listen, port, err, net.JoinHostPort(host, "8084"))
	}
	_, bound, _ := net.SplitHostPort(l.Addr().String())
	if err := l.Close(); err != nil {
		return "", fmt.Errorf("release %s: %w", l.Addr(), err)
	}
	return net.JoinHostPort(host, bound), nil
}

// devURL is the URL a client on this machine uses to reach listen: the
// host as given, or localhost when listen binds every interface.
func devURL(listen string) string {
	host, port, _ := net.SplitHostPort(listen)
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
