package distributed

import (
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/config"
)

// minimalProps are the keys a distributed worker cannot do without.
func minimalProps() map[string]string {
	return map[string]string{
		"bootstrap.servers":    "localhost:9092",
		"group.id":             "connect-cluster",
		"config.storage.topic": "connect-configs",
		"offset.storage.topic": "connect-offsets",
		"status.storage.topic": "connect-status",
		"key.converter":        "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":      "org.apache.kafka.connect.json.JsonConverter",
	}
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func parse(t *testing.T, change map[string]string) (*Config, error) {
	t.Helper()
	props := minimalProps()
	for k, v := range change {
		if v == "<unset>" {
			delete(props, k)
		} else {
			props[k] = v
		}
	}
	return ParseConfig(props, discard)
}

// TestParseConfigDefaults checks that the keys distributed mode adds
// default as Kafka Connect's DistributedConfig does.
func TestParseConfigDefaults(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"group.id", c.GroupID, "connect-cluster"},
		{"config.storage.topic", c.ConfigTopic, "connect-configs"},
		{"offset.storage.topic", c.OffsetTopic, "connect-offsets"},
		{"status.storage.topic", c.StatusTopic, "connect-status"},
		{"config.storage.replication.factor", c.ConfigRF, int16(3)},
		{"offset.storage.replication.factor", c.OffsetRF, int16(3)},
		{"status.storage.replication.factor", c.StatusRF, int16(3)},
		{"offset.storage.partitions", c.OffsetPartitions, int32(25)},
		{"status.storage.partitions", c.StatusPartitions, int32(5)},
		{"session.timeout.ms", c.SessionTimeout, 10 * time.Second},
		{"heartbeat.interval.ms", c.HeartbeatInterval, 3 * time.Second},
		{"rebalance.timeout.ms", c.RebalanceTimeout, time.Minute},
		{"scheduled.rebalance.max.delay.ms", c.MaxDelay, 5 * time.Minute},
		{"worker.sync.timeout.ms", c.SyncTimeout, 3 * time.Second},
		{"worker.unsync.backoff.ms", c.UnsyncBackoff, 5 * time.Minute},
		{"connect.protocol", c.Protocol, "sessioned"},
		{"inter.worker.key.generation.algorithm", c.KeyAlgorithm, "HmacSHA256"},
		{"inter.worker.key.size (unset: 256 bits)", c.KeySize, 256},
		{"inter.worker.key.ttl.ms", c.KeyTTL, time.Hour},
		{"inter.worker.signature.algorithm", c.SignatureAlgorithm, "HmacSHA256"},
		{"exactly.once.source.support", c.Values.String(ExactlyOnceSourceSupport), "disabled"},
		// listeners defaults to http://:8083; sluice advertises localhost
		// for an empty host.
		{"worker id", c.WorkerID, "localhost:8083"},
		{"advertised URL", c.URL, "http://localhost:8083"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if !slices.Equal(c.VerificationAlgorithms, []string{"HmacSHA256"}) {
		t.Errorf("inter.worker.verification.algorithms = %v, want [HmacSHA256]", c.VerificationAlgorithms)
	}
}

// TestParseConfigValues checks that set values are taken as given.
func TestParseConfigValues(t *testing.T) {
	c, err := parse(t, map[string]string{
		"group.id": "  spaced  ", "config.storage.replication.factor": "-1", "offset.storage.partitions": "-1",
		"status.storage.partitions": "1", "session.timeout.ms": "6000", "heartbeat.interval.ms": "5999",
		"connect.protocol": "eager", "inter.worker.key.size": "512", "inter.worker.key.generation.algorithm": "HmacSHA512",
		"inter.worker.signature.algorithm": "HmacSHA1", "inter.worker.verification.algorithms": "HmacSHA256, HmacSHA1",
		"scheduled.rebalance.max.delay.ms": "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.GroupID != "spaced" || c.ConfigRF != -1 || c.OffsetPartitions != -1 || c.StatusPartitions != 1 ||
		c.SessionTimeout != 6*time.Second || c.HeartbeatInterval != 5999*time.Millisecond || c.Protocol != "eager" ||
		c.KeySize != 512 || c.KeyAlgorithm != "HmacSHA512" || c.SignatureAlgorithm != "HmacSHA1" || c.MaxDelay != 0 ||
		!slices.Equal(c.VerificationAlgorithms, []string{"HmacSHA256", "HmacSHA1"}) {
		t.Errorf("parsed %+v", *c)
	}
}

// problems returns the problems of a *config.Error, failing otherwise.
func problems(t *testing.T, err error) []config.Problem {
	t.Helper()
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *config.Error", err, err)
	}
	return ce.Problems
}

// TestParseConfigErrors checks that each invalid configuration is rejected
// with a problem naming its key, in a message that names it too.
func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change map[string]string
		key    string // the key every problem must name
		n      int    // number of problems; 0 means 1
		want   string // in the message
	}{
		{"group.id missing", map[string]string{"group.id": "<unset>"}, GroupID, 0, "group.id"},
		{"group.id empty", map[string]string{"group.id": ""}, GroupID, 0, "non-empty"},
		{"config topic missing", map[string]string{"config.storage.topic": "<unset>"}, ConfigTopic, 0, "config.storage.topic"},
		{"offset topic missing", map[string]string{"offset.storage.topic": "<unset>"}, OffsetTopic, 0, "offset.storage.topic"},
		{"status topic missing", map[string]string{"status.storage.topic": "<unset>"}, StatusTopic, 0, "status.storage.topic"},
		{"config and offset topics equal", map[string]string{"offset.storage.topic": "connect-configs"}, OffsetTopic, 0, "config.storage.topic and offset.storage.topic must name different topics"},
		{"config and status topics equal", map[string]string{"status.storage.topic": "connect-configs"}, StatusTopic, 0, "config.storage.topic and status.storage.topic must name different topics"},
		{"offset and status topics equal", map[string]string{"status.storage.topic": "connect-offsets"}, StatusTopic, 0, "offset.storage.topic and status.storage.topic must name different topics"},
		{"bad connect.protocol", map[string]string{"connect.protocol": "cooperative"}, ConnectProtocol, 0, "eager, compatible, sessioned"},
		{"heartbeat equal to session timeout", map[string]string{"heartbeat.interval.ms": "10000"}, HeartbeatInterval, 0, "must be lower than session.timeout.ms (10000)"},
		{"heartbeat above session timeout", map[string]string{"session.timeout.ms": "2000"}, HeartbeatInterval, 0, "Invalid value 3000 for configuration heartbeat.interval.ms"},
		{"signature algorithm not verifiable", map[string]string{"inter.worker.signature.algorithm": "HmacSHA512"}, SignatureAlgorithm, 0, "must be present in inter.worker.verification.algorithms"},
		{"unsupported key generation algorithm", map[string]string{"inter.worker.key.generation.algorithm": "HmacMD5"}, KeyGenerationAlgorithm, 0, "Invalid value HmacMD5 for configuration inter.worker.key.generation.algorithm: must be one of HmacSHA1"},
		// Not supported, and so not in the verification list either.
		{"unsupported signature algorithm", map[string]string{"inter.worker.signature.algorithm": "AES"}, SignatureAlgorithm, 2, "Invalid value AES for configuration inter.worker.signature.algorithm: must be one of"},
		{"unsupported verification algorithm", map[string]string{"inter.worker.verification.algorithms": "HmacSHA256,HmacMD5"}, VerificationAlgorithms, 0, "HmacMD5"},
		{"key size not a multiple of 8", map[string]string{"inter.worker.key.size": "100"}, KeySize, 0, "Invalid value 100 for configuration inter.worker.key.size: must be a positive multiple of 8 bits"},
		{"key size zero", map[string]string{"inter.worker.key.size": "0"}, KeySize, 0, "inter.worker.key.size"},
		{"key size negative", map[string]string{"inter.worker.key.size": "-8"}, KeySize, 0, "inter.worker.key.size"},
		{"exactly-once enabled", map[string]string{"exactly.once.source.support": "enabled"}, ExactlyOnceSourceSupport, 0, "sluice does not support exactly-once source connectors yet"},
		{"exactly-once preparing", map[string]string{"exactly.once.source.support": "preparing"}, ExactlyOnceSourceSupport, 0, "exactly.once.source.support"},
		{"exactly-once unknown", map[string]string{"exactly.once.source.support": "yes"}, ExactlyOnceSourceSupport, 0, "disabled, preparing, enabled"},
		{"config topic replication factor 0", map[string]string{"config.storage.replication.factor": "0"}, ConfigTopicRF, 0, "Replication factor must be positive"},
		{"offset topic replication factor 0", map[string]string{"offset.storage.replication.factor": "0"}, OffsetTopicRF, 0, "offset.storage.replication.factor"},
		{"status topic replication factor 0", map[string]string{"status.storage.replication.factor": "0"}, StatusTopicRF, 0, "status.storage.replication.factor"},
		{"offset topic partitions 0", map[string]string{"offset.storage.partitions": "0"}, OffsetTopicPartitions, 0, "Number of partitions must be a positive integer, or -1"},
		{"status topic partitions -2", map[string]string{"status.storage.partitions": "-2"}, StatusTopicPartitions, 0, "status.storage.partitions"},
		{"session timeout 0", map[string]string{"session.timeout.ms": "0"}, SessionTimeout, 0, "session.timeout.ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(t, tc.change)
			if err == nil {
				t.Fatalf("accepted: %+v", *c)
			}
			ps := problems(t, err)
			n := max(tc.n, 1)
			if len(ps) != n {
				t.Fatalf("%d problems, want %d: %q", len(ps), n, ps)
			}
			for _, p := range ps {
				if tc.key != "" && p.Key != tc.key {
					t.Errorf("problem names key %s, want %s: %q", p.Key, tc.key, p.Message)
				}
				if !strings.Contains(p.Message, p.Key) {
					t.Errorf("message does not name its key %s: %q", p.Key, p.Message)
				}
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// TestParseConfigReportsEveryProblem checks that one error lists every
// invalid key, not only the first.
func TestParseConfigReportsEveryProblem(t *testing.T) {
	_, err := parse(t, map[string]string{"heartbeat.interval.ms": "20000", "exactly.once.source.support": "enabled",
		"offset.storage.topic": "connect-status", "inter.worker.key.size": "7"})
	var keys []string
	for _, p := range problems(t, err) {
		keys = append(keys, p.Key)
	}
	slices.Sort(keys)
	want := []string{ExactlyOnceSourceSupport, HeartbeatInterval, KeySize, StatusTopic}
	if !slices.Equal(keys, want) {
		t.Errorf("problems name %v, want %v (%v)", keys, want, err)
	}
}

// TestParseConfigAdvertisedURL checks the worker id and the URL advertised
// to the other workers: the host and port of the first listener of the
// advertised scheme (http if a listener is http, else https, unless
// rest.advertised.listener says) unless
// rest.advertised.host.name / rest.advertised.port say otherwise
// (RestServer.advertisedUrl).
func TestParseConfigAdvertisedURL(t *testing.T) {
	for _, tc := range []struct {
		name    string
		change  map[string]string
		id, url string // url "": http://id
	}{
		{"first listener", map[string]string{"listeners": "http://127.0.0.1:9000,http://10.0.0.1:9001"}, "127.0.0.1:9000", ""},
		{"empty host", map[string]string{"listeners": "http://:9000"}, "localhost:9000", ""},
		{"IPv6 listener", map[string]string{"listeners": "http://[::1]:9000"}, "[::1]:9000", ""},
		{"advertised host", map[string]string{"listeners": "http://0.0.0.0:9000", "rest.advertised.host.name": "w1.example.com"}, "w1.example.com:9000", ""},
		{"advertised port", map[string]string{"listeners": "http://127.0.0.1:9000", "rest.advertised.port": "19000"}, "127.0.0.1:19000", ""},
		{"advertised host and port", map[string]string{"listeners": "http://0.0.0.0:9000", "rest.advertised.host.name": "lb", "rest.advertised.port": "80"}, "lb:80", ""},
		{"https listener", map[string]string{"listeners": "https://127.0.0.1:9443"}, "127.0.0.1:9443", "https://127.0.0.1:9443"},
		// As Kafka Connect: http wins when a listener is http, unless
		// rest.advertised.listener says otherwise; the first listener of
		// the advertised scheme gives the host and port.
		{"http listener wins", map[string]string{"listeners": "https://127.0.0.1:9443,http://127.0.0.1:9000"}, "127.0.0.1:9000", ""},
		{"advertised https", map[string]string{"listeners": "http://127.0.0.1:9000,https://h:9443", "rest.advertised.listener": "HTTPS"}, "h:9443", "https://h:9443"},
		{"advertised https without an https listener", map[string]string{"listeners": "http://127.0.0.1:9000", "rest.advertised.listener": "https"}, "127.0.0.1:9000", "https://127.0.0.1:9000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(t, tc.change)
			if err != nil {
				t.Fatal(err)
			}
			url := tc.url
			if url == "" {
				url = "http://" + tc.id
			}
			if c.WorkerID != tc.id || c.URL != url {
				t.Errorf("worker id %s, URL %s; want %s, %s", c.WorkerID, c.URL, tc.id, url)
			}
		})
	}
	if _, err := parse(t, map[string]string{"rest.advertised.listener": "ftp"}); err == nil || problems(t, err)[0].Key != "rest.advertised.listener" {
		t.Errorf("rest.advertised.listener=ftp: %v, want a problem naming rest.advertised.listener", err)
	}
}
