package runtime

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"testing"

	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

// TestBuiltinTaskConfigsAsKafkaConnect: the task configurations of the
// built-in connectors hold what Kafka Connect 4.4 stores for their Java
// counterparts: the connector's configuration as given (FileStreamSource
// and FileStreamSink return it whole from taskConfigs, as do Confluent's
// datagen and Debezium), the task keys the connector adds (datagen's
// task.id), task.class as the Java connector names it, and topics or
// topics.regex from the connector's configuration (Worker.
// connectorTaskConfigs copies them); config provider variables are put
// back (AbstractHerder.reverseTransform). No default of the connector or
// the framework is added: Kafka Connect's task configurations lack them.
func TestBuiltinTaskConfigsAsKafkaConnect(t *testing.T) {
	t.Setenv("SLUICE_TEST_TASKCFG_FILE", "/tmp/in.txt")
	cdc := map[string]string{
		"database.hostname": "db.example", "database.port": "3306", "database.user": "u", "database.password": "p",
		"database.server.id": "5400", "topic.prefix": "shop", "tasks.max": "1",
		"schema.history.internal.kafka.topic": "shop-history", "schema.history.internal.kafka.bootstrap.servers": "127.0.0.1:9092",
	}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := maps.Clone(m)
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		props map[string]string
		want  []map[string]string
	}{
		{
			name: "FileStreamSource",
			props: map[string]string{"name": "c", "connector.class": "FileStreamSource", "tasks.max": "1",
				"file": "/tmp/in.txt", "topic": "lines"},
			want: []map[string]string{{"name": "c", "connector.class": "FileStreamSource", "tasks.max": "1",
				"file": "/tmp/in.txt", "topic": "lines", "task.class": "org.apache.kafka.connect.file.FileStreamSourceTask"}},
		},
		{
			name: "FileStreamSource with framework keys and a variable",
			props: map[string]string{"name": "c", "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
				"file": "${env:SLUICE_TEST_TASKCFG_FILE}", "topic": "lines", "batch.size": "10",
				"value.converter": "org.apache.kafka.connect.storage.StringConverter", "transforms": "",
				"errors.tolerance": "all"},
			want: []map[string]string{{"name": "c", "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
				"file": "${env:SLUICE_TEST_TASKCFG_FILE}", "topic": "lines", "batch.size": "10",
				"value.converter": "org.apache.kafka.connect.storage.StringConverter", "transforms": "",
				"errors.tolerance": "all", "task.class": "org.apache.kafka.connect.file.FileStreamSourceTask"}},
		},
		{
			name: "FileStreamSink",
			props: map[string]string{"name": "c", "connector.class": "FileStreamSink", "tasks.max": "1",
				"file": "/tmp/out.txt", "topics": "lines"},
			want: []map[string]string{{"name": "c", "connector.class": "FileStreamSink", "tasks.max": "1",
				"file": "/tmp/out.txt", "topics": "lines", "task.class": "org.apache.kafka.connect.file.FileStreamSinkTask"}},
		},
		{
			name:  "FileStreamSink with topics.regex",
			props: map[string]string{"name": "c", "connector.class": "FileStreamSink", "file": "/tmp/out.txt", "topics.regex": "li.*"},
			want: []map[string]string{{"name": "c", "connector.class": "FileStreamSink",
				"file": "/tmp/out.txt", "topics.regex": "li.*", "task.class": "org.apache.kafka.connect.file.FileStreamSinkTask"}},
		},
		{
			name:  "DatagenConnector",
			props: map[string]string{"name": "c", "connector.class": "DatagenConnector", "tasks.max": "2", "kafka.topic": "users", "quickstart": "users"},
			want: []map[string]string{
				{"name": "c", "connector.class": "DatagenConnector", "tasks.max": "2", "kafka.topic": "users", "quickstart": "users",
					"task.id": "0", "task.class": "io.confluent.kafka.connect.datagen.DatagenTask"},
				{"name": "c", "connector.class": "DatagenConnector", "tasks.max": "2", "kafka.topic": "users", "quickstart": "users",
					"task.id": "1", "task.class": "io.confluent.kafka.connect.datagen.DatagenTask"},
			},
		},
		{
			name:  "MySqlConnector",
			props: with(cdc, "name", "c", "connector.class", "io.debezium.connector.mysql.MySqlConnector"),
			want:  []map[string]string{with(cdc, "name", "c", "connector.class", "io.debezium.connector.mysql.MySqlConnector", "task.class", "io.debezium.connector.mysql.MySqlConnectorTask")},
		},
		{
			name:  "MariaDbConnector",
			props: with(cdc, "name", "c", "connector.class", "MariaDbConnector"),
			want:  []map[string]string{with(cdc, "name", "c", "connector.class", "MariaDbConnector", "task.class", "io.debezium.connector.mariadb.MariaDbConnectorTask")},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			wc, err := ParseWorkerConfig(map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter",
				"config.providers": "env", "config.providers.env.class": "EnvVarConfigProvider"}, log)
			if err != nil {
				t.Fatal(err)
			}
			w := NewWorker(wc, builtin.Registry(), storage.NewMemoryOffsets(), storage.NewMemoryStatus(), log)
			if err := w.StartConnector(context.Background(), "c", tc.props, herder.TargetStarted, func() {}); err != nil {
				t.Fatal(err)
			}
			defer w.StopConnector(context.Background(), "c")
			got, err := w.TaskConfigs("c")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d task configurations, want %d: %v", len(got), len(tc.want), got)
			}
			for i := range got {
				if !maps.Equal(got[i], tc.want[i]) {
					t.Errorf("task %d:\n got %v\nwant %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}
