package distributed

import (
	"errors"
	"log/slog"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

func configTestProps(extra map[string]string) map[string]string {
	p := map[string]string{
		"group.id": "g", "config.storage.topic": "c", "offset.storage.topic": "o", "status.storage.topic": "s",
		"key.converter": "StringConverter", "value.converter": "StringConverter",
	}
	maps.Copy(p, extra)
	for k, v := range extra {
		if v == "<unset>" {
			delete(p, k)
		}
	}
	return p
}

// TestParseConfigDefaults: the distributed keys default as Kafka
// Connect's DistributedConfig does.
func TestParseConfigDefaults(t *testing.T) {
	c, err := ParseConfig(configTestProps(nil), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		name      string
		got, want any
	}{
		{"replication factors", []int16{c.ConfigRF, c.OffsetRF, c.StatusRF}, []int16{3, 3, 3}},
		{"partitions", []int32{c.OffsetPartitions, c.StatusPartitions}, []int32{25, 5}},
		{"session timeout", c.SessionTimeout, 10 * time.Second},
		{"heartbeat", c.HeartbeatInterval, 3 * time.Second},
		{"rebalance timeout", c.RebalanceTimeout, time.Minute},
		{"max delay", c.MaxDelay, 5 * time.Minute},
		{"sync timeout", c.SyncTimeout, 3 * time.Second},
		{"unsync backoff", c.UnsyncBackoff, 5 * time.Minute},
		{"protocol", c.Protocol, "sessioned"},
		{"key algorithm", c.KeyAlgorithm, "HmacSHA256"},
		{"key size", c.KeySize, 256},
		{"key ttl", c.KeyTTL, time.Hour},
		{"signature algorithm", c.SignatureAlgorithm, "HmacSHA256"},
		{"verification algorithms", strings.Join(c.VerificationAlgorithms, ","), "HmacSHA256"},
		{"url", c.URL, "http://localhost:8083"},
	} {
		if !reflect.DeepEqual(x.got, x.want) {
			t.Errorf("%s = %v, want %v", x.name, x.got, x.want)
		}
	}
	c, err = ParseConfig(configTestProps(map[string]string{"listeners": "http://127.0.0.1:9000", "rest.advertised.host.name": "w1.example.com",
		"rest.advertised.port": "9100"}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if c.URL != "http://w1.example.com:9100" || c.WorkerID != "w1.example.com:9100" {
		t.Errorf("advertised URL %s, worker id %s", c.URL, c.WorkerID)
	}
}

// TestParseConfigErrors: every invalid distributed setting is an error
// naming its key and what was expected.
func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		key   string
		msg   string
	}{
		{map[string]string{"group.id": "<unset>"}, "group.id", "group.id"},
		{map[string]string{"status.storage.topic": "<unset>"}, "status.storage.topic", "status.storage.topic"},
		{map[string]string{"status.storage.topic": "c"}, "status.storage.topic", "must name different topics"},
		{map[string]string{"connect.protocol": "cooperative"}, "connect.protocol", "cooperative"},
		{map[string]string{"heartbeat.interval.ms": "10000"}, "heartbeat.interval.ms", "must be lower than session.timeout.ms"},
		{map[string]string{"inter.worker.signature.algorithm": "HmacSHA512"}, "inter.worker.signature.algorithm", "must be present in inter.worker.verification.algorithms"},
		{map[string]string{"inter.worker.key.generation.algorithm": "HmacMD5"}, "inter.worker.key.generation.algorithm", "must be one of"},
		{map[string]string{"inter.worker.key.size": "100"}, "inter.worker.key.size", "multiple of 8"},
		{map[string]string{"exactly.once.source.support": "enabled"}, "exactly.once.source.support", "does not support exactly-once"},
		{map[string]string{"offset.storage.replication.factor": "0"}, "offset.storage.replication.factor", "Replication factor must be positive"},
		{map[string]string{"status.storage.partitions": "0"}, "status.storage.partitions", "Number of partitions must be a positive integer"},
		{map[string]string{"scheduled.rebalance.max.delay.ms": "-1"}, "scheduled.rebalance.max.delay.ms", "scheduled.rebalance.max.delay.ms"},
	} {
		_, err := ParseConfig(configTestProps(tc.props), slog.New(slog.DiscardHandler))
		var ce *config.Error
		if !errors.As(err, &ce) {
			t.Errorf("%v: error %v, want a *config.Error", tc.props, err)
			continue
		}
		found := false
		for _, p := range ce.Problems {
			if p.Key == tc.key && strings.Contains(p.Message, tc.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("%v: problems %+v, want one for %s saying %q", tc.props, ce.Problems, tc.key, tc.msg)
		}
	}
}

// TestCheckSignature follows DistributedHerder.requestNotSignedProperly:
// only the sessioned protocol checks, with Kafka Connect's status codes.
func TestCheckSignature(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	body := []byte(`[{"k":"v"}]`)
	mac, err := herder.Sign(key, "HmacSHA256", body)
	if err != nil {
		t.Fatal(err)
	}
	good := &herder.InternalSignature{Algorithm: "HmacSHA256", MAC: mac, Body: body}
	bad := &herder.InternalSignature{Algorithm: "HmacSHA256", MAC: append([]byte{1}, mac[1:]...), Body: body}
	other := &herder.InternalSignature{Algorithm: "HmacSHA512", MAC: mac, Body: body}
	for _, tc := range []struct {
		name     string
		protocol string
		key      []byte
		sig      *herder.InternalSignature
		code     int
	}{
		{"compatible does not check", ProtocolCompatible, nil, nil, 0},
		{"missing signature", ProtocolSessioned, key, nil, 400},
		{"algorithm not allowed", ProtocolSessioned, key, other, 400},
		{"no session key yet", ProtocolSessioned, nil, good, 503},
		{"wrong signature", ProtocolSessioned, key, bad, 403},
		{"good signature", ProtocolSessioned, key, good, 0},
	} {
		h := &Herder{cfg: &Config{VerificationAlgorithms: []string{"HmacSHA256"}}}
		h.membership.protocol = tc.protocol
		if tc.key != nil {
			h.sessionKey = &storage.SessionKey{Key: tc.key, Algorithm: "HmacSHA256"}
		}
		err := h.checkSignature(tc.sig)
		switch {
		case tc.code == 0 && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.code != 0 && herder.StatusCode(err) != tc.code:
			t.Errorf("%s: %v (status %d), want %d", tc.name, err, herder.StatusCode(err), tc.code)
		}
	}
}
