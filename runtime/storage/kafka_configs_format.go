package storage

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/internal/javafmt"
	"github.com/sluicehq/sluice/runtime/herder"
)

// Record formats of the config topic, byte-compatible with what Kafka
// Connect's JsonConverter (schemas.enable=false) writes for the schemas of
// KafkaConfigBackingStore.java: struct fields in schema order, compact, no
// whitespace. Map keys (connector and task properties) are written sorted;
// Java writes them in HashMap order, which no reader depends on.

// Key prefixes of the config topic (KafkaConfigBackingStore.java).
const (
	targetStatePrefix   = "target-state-"
	connectorPrefix     = "connector-"
	taskPrefix          = "task-"
	commitTasksPrefix   = "commit-"
	restartPrefix       = "restart-connector-"
	taskCountPrefix     = "tasks-fencing-"
	sessionKeyKey       = "session-key"
	loggerClusterPrefix = "logger-cluster-"
)

// taskKey is Java's TASK_KEY: "task-<connector>-<n>".
func taskKey(id herder.TaskID) string {
	return taskPrefix + id.Connector + "-" + strconv.Itoa(id.Task)
}

// parseTaskKey mirrors Java's parseTaskId: split on '-' (String.split drops
// trailing empty strings), at least three parts, the last is the task
// number (a Java int), the middle ones joined by '-' are the connector.
func parseTaskKey(key string) (herder.TaskID, bool) {
	parts := strings.Split(key, "-")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) < 3 {
		return herder.TaskID{}, false
	}
	n, err := strconv.ParseInt(parts[len(parts)-1], 10, 32)
	if err != nil || n < 0 {
		return herder.TaskID{}, false
	}
	return herder.TaskID{Connector: strings.Join(parts[1:len(parts)-1], "-"), Task: int(n)}, true
}

// encodeProperties is CONNECTOR_CONFIGURATION_V0 / TASK_CONFIGURATION_V0:
// {"properties":{"k":"v",...}}.
func encodeProperties(props map[string]string) []byte {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteString(`{"properties":{`)
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(javafmt.AppendString(b.AvailableBuffer(), k))
		b.WriteByte(':')
		b.Write(javafmt.AppendString(b.AvailableBuffer(), props[k]))
	}
	b.WriteString(`}}`)
	return b.Bytes()
}

// encodeTargetState is TARGET_STATE_V1 as serializeTargetState writes it:
// STOPPED falls back to PAUSED in "state" for workers older than KIP-875.
func encodeTargetState(t herder.TargetState) []byte {
	old := t
	if t == herder.TargetStopped {
		old = herder.TargetPaused
	}
	var b bytes.Buffer
	b.WriteString(`{"state":`)
	b.Write(javafmt.AppendString(b.AvailableBuffer(), string(old)))
	b.WriteString(`,"state.v2":`)
	b.Write(javafmt.AppendString(b.AvailableBuffer(), string(t)))
	b.WriteByte('}')
	return b.Bytes()
}

// encodeCommit is CONNECTOR_TASKS_COMMIT_V0: {"tasks":<int32>}.
func encodeCommit(tasks int) []byte {
	return []byte(`{"tasks":` + strconv.Itoa(tasks) + `}`)
}

// encodeTaskCount is TASK_COUNT_RECORD_V0: {"task-count":<int32>}.
func encodeTaskCount(count int) []byte {
	return []byte(`{"task-count":` + strconv.Itoa(count) + `}`)
}

// encodeSessionKey is SESSION_KEY_V0: the key base64-encoded (Java's
// Base64.getEncoder, padded), the Mac algorithm, the creation time in ms.
func encodeSessionKey(k SessionKey) []byte {
	var b bytes.Buffer
	b.WriteString(`{"key":`)
	b.Write(javafmt.AppendString(b.AvailableBuffer(), base64.StdEncoding.EncodeToString(k.Key)))
	b.WriteString(`,"algorithm":`)
	b.Write(javafmt.AppendString(b.AvailableBuffer(), k.Algorithm))
	b.WriteString(`,"creation-timestamp":`)
	b.WriteString(strconv.FormatInt(k.Created.UnixMilli(), 10))
	b.WriteByte('}')
	return b.Bytes()
}

// encodeRestart is RESTART_REQUEST_V0: include-tasks first, then only-failed.
func encodeRestart(r RestartRequest) []byte {
	return []byte(`{"include-tasks":` + strconv.FormatBool(r.IncludeTasks) +
		`,"only-failed":` + strconv.FormatBool(r.OnlyFailed) + `}`)
}

// encodeLoggerLevel is LOGGER_LEVEL_V0: {"level":"<level>"}.
func encodeLoggerLevel(level string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"level":`)
	b.Write(javafmt.AppendString(b.AvailableBuffer(), level))
	b.WriteByte('}')
	return b.Bytes()
}

// decodeValue parses a record value as JsonConverter (schemas.enable=false)
// does: nil or empty bytes are a null value, the first JSON value is read
// and trailing bytes are ignored (Jackson's readTree). Numbers stay
// json.Number so integers and decimals can be told apart as Java does
// (Long versus Double).
func decodeValue(raw []byte) (any, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// jsonType names the JSON type of a decoded value for log messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// isIntegral reports whether Jackson reads the number as an integer (a
// Connect INT64) rather than a decimal (FLOAT64).
func isIntegral(n json.Number) bool {
	return !strings.ContainsAny(string(n), ".eE")
}

// javaLong is the Java long Jackson's longValue gives for an integral
// number: the low 64 bits when it does not fit.
func javaLong(n json.Number) (int64, error) {
	if v, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return v, nil
	}
	bi, ok := new(big.Int).SetString(string(n), 10)
	if !ok {
		return 0, fmt.Errorf("invalid integer %s", n)
	}
	return int64(new(big.Int).And(bi, new(big.Int).SetUint64(math.MaxUint64)).Uint64()), nil
}

// intValue mirrors Java's intValue(Object): an integral number cast to a
// Java int (low 32 bits); anything else is an error.
func intValue(v any) (int, error) {
	n, ok := v.(json.Number)
	if !ok || !isIntegral(n) {
		return 0, fmt.Errorf("want an integer, got %s %v", jsonType(v), v)
	}
	l, err := javaLong(n)
	if err != nil {
		return 0, err
	}
	return int(int32(l)), nil
}

// propertiesOf converts the "properties" map of a connector or task record
// into a Go map: null values are dropped (Java keeps them as nulls, which
// no Go map can hold); numbers, booleans, arrays and objects become the
// strings Java's toString would give them.
func propertiesOf(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if v == nil {
			continue
		}
		out[k] = javaString(v)
	}
	return out
}

// javaString renders a schemaless JsonConverter value as Java's toString
// does: Long and Double as Long.toString / Double.toString, Boolean as
// true/false, List as [a, b], Map as {k=v, k2=v2} (keys sorted here; Java
// uses HashMap order).
func javaString(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		if isIntegral(v) {
			if l, err := javaLong(v); err == nil {
				return strconv.FormatInt(l, 10)
			}
			return string(v)
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return string(v)
		}
		return javafmt.Double(f)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = javaString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + javaString(v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}
