package runtime

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/plugins/builtin"
)

// TestValidateCDCAbsurdValues: the config/validate path with Debezium's
// MySQL and MariaDB connectors and absurd or hostile values answers with
// an error on the key at fault, in Kafka Connect's shape, never a panic,
// and its answer never shows the password.
func TestValidateCDCAbsurdValues(t *testing.T) {
	const secret = "cdc-Secret-pw-41"
	base := func(kv ...string) map[string]string {
		m := map[string]string{"name": "c", "database.hostname": "db", "database.user": "u", "database.password": secret,
			"database.server.id": "5400", "topic.prefix": "shop", "schema.history.internal.kafka.topic": "h",
			"schema.history.internal.kafka.bootstrap.servers": "k:9092"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name, key, want string
		cfg             map[string]string
	}{
		{"queue", "max.queue.size", "Invalid value 2147483647 for configuration max.queue.size: Value must be no more than 1048576", base("max.queue.size", "2147483647")},
		{"batch", "max.batch.size", "Invalid value 1048576 for configuration max.batch.size: Value must be no more than 1048575", base("max.batch.size", "1048576")},
		{"chunk", "incremental.snapshot.chunk.size", "Invalid value 1000000 for configuration incremental.snapshot.chunk.size: Value must be no more than 100000", base("incremental.snapshot.chunk.size", "1000000")},
		{"poll", "poll.interval.ms", "Invalid value 9223372036854775807 for configuration poll.interval.ms: Value must be no more than 2147483647", base("poll.interval.ms", "9223372036854775807")},
		{"port", "database.port", "Invalid value 70000 for configuration database.port: Value must be no more than 65535", base("database.port", "70000")},
		{"server id", "database.server.id", "Invalid value 0 for configuration database.server.id: Value must be at least 1", base("database.server.id", "0")},
		{"prefix", "topic.prefix", "Invalid value a b for configuration topic.prefix: Topic name is invalid: 'a b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'", base("topic.prefix", "a b")},
		{"prefix length", "topic.prefix", "Invalid value " + strings.Repeat("p", 250) + " for configuration topic.prefix: Topic name is invalid: the length of '" + strings.Repeat("p", 250) + "' is longer than the max allowed length 249", base("topic.prefix", strings.Repeat("p", 250))},
		{"heartbeat topic", "topic.prefix", "with the heartbeat prefix \"__debezium-heartbeat\" it does not make a valid heartbeat topic: …", base("topic.prefix", strings.Repeat("p", 240))},
		{"timeout not a number", "connect.timeout.ms", "Invalid value 1e99 for configuration connect.timeout.ms: Not a number of type INT", base("connect.timeout.ms", "1e99")},
	} {
		for _, class := range []string{"io.debezium.connector.mysql.MySqlConnector", "io.debezium.connector.mariadb.MariaDbConnector"} {
			t.Run(tc.name+" "+class[strings.LastIndex(class, ".")+1:], func(t *testing.T) {
				tc.cfg["connector.class"] = class
				infos, _, err := ValidateConnectorConfig(builtin.Registry(), nil, tc.cfg)
				if err != nil {
					t.Fatal(err)
				}
				var errs []string
				for _, c := range infos.Configs {
					if c.Value != nil && c.Value.Name == tc.key {
						errs = c.Value.Errors
					}
				}
				if infos.ErrorCount != 1 || len(errs) != 1 {
					t.Fatalf("error_count %d, errors on %s %q, want one there", infos.ErrorCount, tc.key, errs)
				}
				if prefix, ok := strings.CutSuffix(tc.want, "…"); ok {
					if !strings.HasPrefix(errs[0], prefix) {
						t.Fatalf("%s: %q, want prefix %q", tc.key, errs[0], prefix)
					}
				} else if errs[0] != tc.want {
					t.Fatalf("%s:\n%q\nwant\n%q", tc.key, errs[0], tc.want)
				}
				b, err := json.Marshal(infos)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(b), secret) {
					t.Fatalf("the answer shows the password: %s", b)
				}
			})
		}
	}
}
