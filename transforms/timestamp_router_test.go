package transforms

import (
	"errors"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

func TestTimestampRouter(t *testing.T) {
	// Kafka Connect's TimestampRouterTest.defaultConfiguration instant.
	at := time.UnixMilli(1483425001864) // 2017-01-03T06:30:01.864Z
	for _, c := range []struct {
		name  string
		props map[string]string
		topic string
		at    time.Time
		want  string
	}{
		{"defaults", map[string]string{}, "test", at, "test-20170103"},
		{"custom", map[string]string{"topic.format": "${timestamp}/${topic}/${topic}", "timestamp.format": "yyyy-MM-dd'T'HH"},
			"test", at, "2017-01-03T06/test/test"},
		{"formatted in UTC", map[string]string{"timestamp.format": "yyyyMMddHHmmZ"},
			"test", at.In(time.FixedZone("PST", -8*3600)), "test-201701030630+0000"},
		{"day boundary in UTC", map[string]string{}, "test", time.Date(2017, 1, 2, 23, 0, 0, 0, time.FixedZone("", -2*3600)), "test-20170103"},
		{"no placeholders", map[string]string{"topic.format": "fixed"}, "test", at, "fixed"},
		{"empty timestamp format", map[string]string{"timestamp.format": ""}, "test", at, "test-"},
		// Replacement is literal: no $1 groups, no regex in the topic.
		{"literal replacement", map[string]string{"topic.format": "${topic}.${timestamp}", "timestamp.format": "'$1'yyyy"},
			`a$1\b.*`, at, `a$1\b.*.$12017`},
		// ${topic} is replaced first, so a topic named ${timestamp} gets
		// the timestamp too, as in Kafka Connect.
		{"topic holds a placeholder", map[string]string{}, "${timestamp}", at, "20170103-20170103"},
		{"epoch is a timestamp", map[string]string{}, "test", time.UnixMilli(0), "test-19700101"},
		{"week year", map[string]string{"timestamp.format": "YYYY-'W'ww"}, "logs", time.Date(2017, 12, 31, 12, 0, 0, 0, time.UTC), "logs-2018-W01"},
	} {
		tr := newTimestampRouter()
		if err := tr.Configure(c.props); err != nil {
			t.Errorf("%s: Configure: %v", c.name, err)
			continue
		}
		p := int32(3)
		r := &Record{Record: connectors.Record{Topic: c.topic, Partition: &p, Key: "k", Value: "v", Timestamp: c.at}}
		keep, err := tr.Apply(r)
		if err != nil || !keep {
			t.Errorf("%s: Apply: %v %v", c.name, keep, err)
			continue
		}
		if r.Topic != c.want {
			t.Errorf("%s: topic %q, want %q", c.name, r.Topic, c.want)
		}
		if *r.Partition != 3 || r.Key != "k" || r.Value != "v" || !r.Timestamp.Equal(c.at) {
			t.Errorf("%s: changed more than the topic: %+v", c.name, r.Record)
		}
		if err := tr.Close(); err != nil {
			t.Error(err)
		}
	}
}

func TestTimestampRouterMissingTimestamp(t *testing.T) {
	tr := newTimestampRouter()
	if err := tr.Configure(nil); err != nil {
		t.Fatal(err)
	}
	p := int32(0)
	for _, c := range []struct {
		r    *Record
		want string
	}{
		{&Record{Record: connectors.Record{Topic: "test", Value: "secret"}},
			"Timestamp missing on record: ConnectRecord{topic='test', kafkaPartition=null, timestamp=null}"},
		{&Record{Record: connectors.Record{Topic: "test", Partition: &p, Value: "secret"}, Offset: 42, Sink: true},
			"Timestamp missing on record: SinkRecord{kafkaOffset=42} ConnectRecord{topic='test', kafkaPartition=0, timestamp=null}"},
	} {
		_, err := tr.Apply(c.r)
		var de *schemas.DataError
		if !errors.As(err, &de) || err.Error() != c.want {
			t.Errorf("got %v, want DataError %s", err, c.want)
		}
		if c.r.Topic != "test" {
			t.Errorf("topic changed to %q", c.r.Topic)
		}
	}
}

func TestTimestampRouterConfig(t *testing.T) {
	for _, c := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"timestamp.format": "yyyyMMddq"}, "Invalid value yyyyMMddq for configuration timestamp.format: Illegal pattern character 'q'"},
		{map[string]string{"timestamp.format": "yyyy'"}, "Invalid value yyyy' for configuration timestamp.format: Unterminated quote"},
		{map[string]string{"timestamp.format": "XXXX"}, "Invalid value XXXX for configuration timestamp.format: invalid ISO 8601 format: length=4"},
	} {
		err := newTimestampRouter().Configure(c.props)
		if err == nil || err.Error() != c.want {
			t.Errorf("Configure(%v):\n got %v\nwant %s", c.props, err, c.want)
		}
	}
	var names []string
	for _, k := range newTimestampRouter().Config().Keys() {
		names = append(names, k.Name+"="+k.Default.(string))
	}
	if len(names) != 2 || names[0] != "topic.format=${topic}-${timestamp}" || names[1] != "timestamp.format=yyyyMMdd" {
		t.Errorf("keys %v", names)
	}
}
