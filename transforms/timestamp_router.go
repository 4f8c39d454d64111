package transforms

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/javatime"
	"github.com/sluicehq/sluice/schemas"
)

// TimestampRouter's config keys.
const (
	routerTopicFormatConfig     = "topic.format"
	routerTimestampFormatConfig = "timestamp.format"
)

// timestampRouter is Kafka Connect's TimestampRouter: it renames the topic
// of a record after the record's timestamp, formatted in UTC, typically so
// that a sink writes to one table or index per day.
type timestampRouter struct {
	topicFormat string
	format      *javatime.Format
}

func newTimestampRouter() Transformation { return &timestampRouter{} }

func (t *timestampRouter) Config() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: routerTopicFormatConfig, Type: config.String, Default: "${topic}-${timestamp}",
			Importance: config.High,
			Doc:        "The new topic name, where ${topic} stands for the record's topic and ${timestamp} for its formatted timestamp."}).
		Define(config.Key{Name: routerTimestampFormatConfig, Type: config.String, Default: "yyyyMMdd",
			Validator:  routerFormatValidator,
			Importance: config.High,
			Doc:        "A java.text.SimpleDateFormat pattern for the record's timestamp, which is formatted in UTC."})
}

// routerFormatValidator accepts SimpleDateFormat patterns. Kafka Connect
// finds a bad pattern only when the first record arrives.
var routerFormatValidator = config.ValidatorFunc(func(name string, value any) error {
	s, _ := value.(string)
	if _, err := javatime.Compile(s); err != nil {
		reason := err.Error()
		if pe, ok := errors.AsType[*javatime.PatternError](err); ok {
			reason = pe.Reason
		}
		return &config.ValueError{Name: name, Value: s, Reason: reason}
	}
	return nil
}, "a java.text.SimpleDateFormat pattern")

func (t *timestampRouter) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.topicFormat = v.String(routerTopicFormatConfig)
	t.format = javatime.MustCompile(v.String(routerTimestampFormatConfig))
	return nil
}

func (t *timestampRouter) Apply(r *Record) (bool, error) {
	if r.Timestamp.IsZero() {
		return false, schemas.DataErrorf("Timestamp missing on record: %s", recordCoordinates(r))
	}
	// ${topic} first, then ${timestamp} in the result, as Kafka Connect.
	topic := strings.ReplaceAll(t.topicFormat, "${topic}", r.Topic)
	r.Topic = strings.ReplaceAll(topic, "${timestamp}", t.format.Format(r.Timestamp.UTC()))
	return true, nil
}

func (t *timestampRouter) Close() error { return nil }

// recordCoordinates names a record in an error message the way Kafka
// Connect's toString starts, without its key, value and headers: data
// does not belong in error messages and logs.
func recordCoordinates(r *Record) string {
	partition := "null"
	if r.Partition != nil {
		partition = fmt.Sprint(*r.Partition)
	}
	s := fmt.Sprintf("ConnectRecord{topic='%s', kafkaPartition=%s, timestamp=null}", r.Topic, partition)
	if r.Sink {
		s = fmt.Sprintf("SinkRecord{kafkaOffset=%d} %s", r.Offset, s)
	}
	return s
}
