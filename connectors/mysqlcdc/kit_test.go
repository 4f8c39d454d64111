package mysqlcdc_test

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"testing"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/connectortest"
	"github.com/sluicehq/sluice/connectors/mysqlcdc"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/plugins/builtin"
	"github.com/sluicehq/sluice/schemas"
)

// TestAcceptanceKit runs the connector SDK's acceptance suite: each run
// snapshots a fresh 100-row table, with the schema history in the real
// Kafka. A snapshot interrupted by a restart is taken again from the
// start, as Debezium's: records are redelivered, none lost.
func TestAcceptanceKit(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	plugin, err := builtin.Registry().Lookup(mysqlcdc.MariaDBClass, plugins.Source)
	if err != nil {
		t.Fatal(err)
	}
	bad := func(k, v string) map[string]string {
		m := map[string]string{mysqlcdc.HostnameKey: "db", mysqlcdc.UserKey: "u", mysqlcdc.ServerIDKey: "9",
			mysqlcdc.TopicPrefixKey: "kit", mysqlcdc.HistoryTopicKey: "h", mysqlcdc.HistoryServersKey: "k:9092"}
		m[k] = v
		return m
	}
	connectortest.Source(t, connectortest.SourceConfig{
		Plugin:  plugin,
		Records: 20,
		Props: func(t *testing.T) map[string]string {
			d := testkit.NewDatabase(t)
			d.Exec(t, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(20))",
				"INSERT INTO t SELECT seq, CONCAT('n', seq) FROM seq_1_to_100")
			host, port, _ := net.SplitHostPort(d.Addr)
			return map[string]string{
				mysqlcdc.HostnameKey: host, mysqlcdc.PortKey: port, mysqlcdc.UserKey: d.User, mysqlcdc.PasswordKey: d.Password,
				mysqlcdc.ServerIDKey:    strconv.Itoa(100000 + rand.IntN(1<<30)),
				mysqlcdc.TopicPrefixKey: "kit", mysqlcdc.DatabaseIncludeKey: d.Name,
				mysqlcdc.HistoryTopicKey: "kit-history-" + d.Name, mysqlcdc.HistoryServersKey: bootstrap,
				mysqlcdc.PollIntervalKey: "50", mysqlcdc.IncludeSchemaChangesKey: "false",
				// Small polls: the suite commits the offsets of every record
				// a poll returns, and counts only those it asked for.
				mysqlcdc.MaxBatchSizeKey: "5", mysqlcdc.MaxQueueSizeKey: "10",
			}
		},
		Redelivers: true,
		RecordID: func(r connectors.SourceRecord) string {
			k, _ := r.Key.(*schemas.Struct)
			var op any
			if v, ok := r.Value.(*schemas.Struct); ok {
				op = v.Get("op")
			}
			return fmt.Sprintf("%s %v %v", r.Topic, k, op)
		},
		BadProps: []connectortest.BadProps{
			{Props: bad(mysqlcdc.ServerIDKey, "0"), Key: mysqlcdc.ServerIDKey},
			{Props: bad(mysqlcdc.TopicPrefixKey, "a b"), Key: mysqlcdc.TopicPrefixKey},
			{Props: bad(mysqlcdc.SnapshotModeKey, "sometimes"), Key: mysqlcdc.SnapshotModeKey},
		},
	})
}
