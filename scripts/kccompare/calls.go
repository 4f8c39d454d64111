package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// call is one REST call of the sequence. Body holds the request body, with
// {P} standing for the run's prefix and {DIR} for its file directory.
type call struct {
	Name    string          `json:"name"`
	Method  string          `json:"method"`
	Path    string          `json:"path"`
	Body    json.RawMessage `json:"body,omitempty"`
	Headers bool            `json:"-"` // keep the answer's headers
}

// answer is what a call got back.
type answer struct {
	Name    string            `json:"name"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Body    json.RawMessage   `json:"request_body,omitempty"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	File    string            `json:"file,omitempty"` // the answer body's file, empty when the body was empty
	Answer  []byte            `json:"-"`
}

// step is one element of the sequence: a call, or an action between calls
// (waiting for a state, dumping the internal topics).
type step struct {
	call   *call
	action func(ctx context.Context, r *run) error
}

func c(name, method, path string, body string) step {
	cl := &call{Name: name, Method: method, Path: path}
	if body != "" {
		cl.Body = json.RawMessage(body)
	}
	return step{call: cl}
}

func act(f func(ctx context.Context, r *run) error) step { return step{action: f} }

const (
	srcCfg  = `{"connector.class":"FileStreamSource","tasks.max":"1","file":"{DIR}/{P}-in.txt","topic":"{P}-lines"}`
	sinkCfg = `{"connector.class":"FileStreamSink","tasks.max":"1","file":"{DIR}/{P}-out.txt","topics":"{P}-lines"}`
)

func validateSrc(extra string) string {
	return `{"connector.class":"FileStreamSource","name":"{P}-v","tasks.max":"1","file":"{DIR}/{P}-in.txt","topic":"{P}-lines"` + extra + `}`
}

// sequence is every call, in order.
func sequence() []step {
	const vs = "/connector-plugins/FileStreamSource/config/validate"
	const vk = "/connector-plugins/FileStreamSink/config/validate"
	return []step{
		c("root", "GET", "/", ""),
		c("connector-plugins", "GET", "/connector-plugins", ""),
		c("connector-plugins-all", "GET", "/connector-plugins?connectorsOnly=false", ""),
		c("plugin-config-FileStreamSource", "GET", "/connector-plugins/FileStreamSource/config", ""),
		c("plugin-config-FileStreamSink", "GET", "/connector-plugins/FileStreamSink/config", ""),
		c("plugin-config-IntegerConverter", "GET", "/connector-plugins/org.apache.kafka.connect.converters.IntegerConverter/config", ""),
		c("plugin-config-JsonConverter", "GET", "/connector-plugins/JsonConverter/config", ""),
		c("plugin-config-Cast-Value", "GET", "/connector-plugins/org.apache.kafka.connect.transforms.Cast$Value/config", ""),
		c("validate-source-valid", "PUT", vs, validateSrc("")),
		c("validate-source-no-name", "PUT", vs, srcCfg),
		c("validate-sink-valid", "PUT", vk, `{"connector.class":"FileStreamSink","name":"{P}-v","tasks.max":"1","file":"{DIR}/{P}-out.txt","topics":"{P}-lines"}`),
		c("validate-source-tasks-max-x", "PUT", vs, `{"connector.class":"FileStreamSource","name":"{P}-v","tasks.max":"x","file":"{DIR}/{P}-in.txt","topic":"{P}-lines"}`),
		c("validate-source-missing-topic", "PUT", vs, `{"connector.class":"FileStreamSource","name":"{P}-v","tasks.max":"1","file":"{DIR}/{P}-in.txt"}`),
		c("validate-source-topic-creation", "PUT", vs, validateSrc(`,"topic.creation.groups":"compacted","topic.creation.default.replication.factor":"1","topic.creation.default.partitions":"1","topic.creation.compacted.include":"{P}-.*","topic.creation.compacted.partitions":"3","topic.creation.compacted.cleanup.policy":"compact"`)),
		c("validate-source-topic-creation-partitions-0", "PUT", vs, validateSrc(`,"topic.creation.default.replication.factor":"1","topic.creation.default.partitions":"0"`)),
		c("validate-source-eos", "PUT", vs, validateSrc(`,"exactly.once.support":"required","transaction.boundary":"connector","offsets.storage.topic":"x"`)),
		c("validate-source-plugin-version-range", "PUT", vs, validateSrc(`,"connector.plugin.version":"[4.4.0]"`)),
		c("validate-source-plugin-version-missing", "PUT", vs, validateSrc(`,"connector.plugin.version":"9.9.9"`)),
		c("validate-source-key-converter-version", "PUT", vs, validateSrc(`,"key.converter":"org.apache.kafka.connect.converters.IntegerConverter","key.converter.plugin.version":"4.4.0"`)),
		c("validate-source-key-converter-version-missing", "PUT", vs, validateSrc(`,"key.converter":"org.apache.kafka.connect.converters.IntegerConverter","key.converter.plugin.version":"9.9.9"`)),
		c("validate-source-topic-creation-no-default", "PUT", vs, validateSrc(`,"topic.creation.groups":"compacted","topic.creation.compacted.include":"{P}-.*","topic.creation.compacted.partitions":"3"`)),
		c("validate-source-eos-bad-values", "PUT", vs, validateSrc(`,"exactly.once.support":"sometimes","transaction.boundary":"never","transaction.boundary.interval.ms":"-5"`)),
		c("validate-source-tasks-max-enforce", "PUT", vs, validateSrc(`,"tasks.max.enforce":"maybe","config.action.reload":"sometimes"`)),
		c("validate-source-converter-unknown", "PUT", vs, validateSrc(`,"value.converter":"NoSuchConverter"`)),
		c("validate-no-connector-class", "PUT", vs, `{"name":"{P}-v","tasks.max":"1","topic":"{P}-lines"}`),
		c("validate-type-mismatch", "PUT", vk, validateSrc("")),
		act(func(ctx context.Context, r *run) error {
			return os.WriteFile(filepath.Join(r.dir, r.prefix+"-in.txt"), []byte("alpha\nbeta\ngamma\n"), 0o644)
		}),
		c("create-source", "POST", "/connectors", `{"name":"{P}-src","config":`+srcCfg+`}`),
		act(func(ctx context.Context, r *run) error { return r.waitRunning(ctx, r.prefix+"-src") }),
		act(func(ctx context.Context, r *run) error {
			return r.dumpTopic(ctx, "config-topic-after-source", r.configTopic)
		}),
		c("create-sink", "POST", "/connectors", `{"name":"{P}-sink","config":`+sinkCfg+`}`),
		act(func(ctx context.Context, r *run) error { return r.waitRunning(ctx, r.prefix+"-sink") }),
		act(func(ctx context.Context, r *run) error { return r.waitLines(ctx, r.prefix+"-out.txt", 3) }),
		act(func(ctx context.Context, r *run) error {
			return r.dumpTopic(ctx, "config-topic-after-sink", r.configTopic)
		}),
		c("connectors", "GET", "/connectors", ""),
		c("connector-source", "GET", "/connectors/{P}-src", ""),
		c("connector-sink", "GET", "/connectors/{P}-sink", ""),
		c("connector-source-config", "GET", "/connectors/{P}-src/config", ""),
		c("connector-source-status", "GET", "/connectors/{P}-src/status", ""),
		c("connector-sink-status", "GET", "/connectors/{P}-sink/status", ""),
		c("connector-source-tasks", "GET", "/connectors/{P}-src/tasks", ""),
		c("connector-sink-tasks", "GET", "/connectors/{P}-sink/tasks", ""),
		c("connector-source-task-0-status", "GET", "/connectors/{P}-src/tasks/0/status", ""),
		act(func(ctx context.Context, r *run) error { return r.waitTopics(ctx, r.prefix+"-src", r.prefix+"-lines") }),
		c("connector-source-topics", "GET", "/connectors/{P}-src/topics", ""),
		c("connector-sink-topics", "GET", "/connectors/{P}-sink/topics", ""),
		c("connectors-expand-status", "GET", "/connectors?expand=status", ""),
		c("connectors-expand-info", "GET", "/connectors?expand=info", ""),
		c("connectors-expand-bogus", "GET", "/connectors?expand=bogus", ""),
		act(func(ctx context.Context, r *run) error { return r.waitOffsets(ctx, r.prefix+"-src", "position") }),
		act(func(ctx context.Context, r *run) error { return r.waitOffsets(ctx, r.prefix+"-sink", "kafka_offset") }),
		c("connector-source-offsets", "GET", "/connectors/{P}-src/offsets", ""),
		c("connector-sink-offsets", "GET", "/connectors/{P}-sink/offsets", ""),
		c("connector-source-restart-include-tasks", "POST", "/connectors/{P}-src/restart?includeTasks=true", ""),
		act(func(ctx context.Context, r *run) error { return r.waitRunning(ctx, r.prefix+"-src") }),
		c("connector-source-restart", "POST", "/connectors/{P}-src/restart", ""),
		act(func(ctx context.Context, r *run) error { return r.waitRunning(ctx, r.prefix+"-src") }),
		c("connector-unknown-topics", "GET", "/connectors/nope/topics", ""),
		c("connector-unknown-status", "GET", "/connectors/nope/status", ""),
		c("connector-source-tasks-config", "GET", "/connectors/{P}-src/tasks-config", ""),
		{call: &call{Name: "delete-connector-plugins", Method: "DELETE", Path: "/connector-plugins", Headers: true}},
		c("create-no-connector-class", "POST", "/connectors", `{"name":"{P}-bad","config":{"tasks.max":"1","topic":"{P}-lines","password":"s3cr3t"}}`),
		c("create-bad-value", "POST", "/connectors", `{"name":"{P}-bad","config":{"connector.class":"FileStreamSource","tasks.max":"1","topic":"{P}-lines","batch.size":"abc"}}`),
		c("create-tasks-max-x", "POST", "/connectors", `{"name":"{P}-bad","config":{"connector.class":"FileStreamSource","tasks.max":"x","topic":"{P}-lines"}}`),
		c("create-unknown-class", "POST", "/connectors", `{"name":"{P}-bad","config":{"connector.class":"NoSuchConnector","tasks.max":"1"}}`),
		c("create-source-topic-creation", "POST", "/connectors", `{"name":"{P}-tc","config":{"connector.class":"FileStreamSource","tasks.max":"1","file":"{DIR}/{P}-in.txt","topic":"{P}-tc-lines","topic.creation.groups":"compacted","topic.creation.default.replication.factor":"1","topic.creation.default.partitions":"1","topic.creation.compacted.include":"{P}-tc-.*","topic.creation.compacted.partitions":"3","topic.creation.compacted.retention.ms":"3600000"}}`),
		act(func(ctx context.Context, r *run) error { return r.waitRunning(ctx, r.prefix+"-tc") }),
		act(func(ctx context.Context, r *run) error {
			return r.waitTopics(ctx, r.prefix+"-tc", r.prefix+"-tc-lines")
		}),
		act(func(ctx context.Context, r *run) error {
			return r.describeTopic(ctx, "topic-created-by-source", r.prefix+"-tc-lines")
		}),
		c("connector-topic-creation-status", "GET", "/connectors/{P}-tc/status", ""),
		c("connector-topic-creation-config", "GET", "/connectors/{P}-tc/config", ""),
		c("delete-topic-creation", "DELETE", "/connectors/{P}-tc", ""),
		c("create-source-partitions-0", "POST", "/connectors", `{"name":"{P}-tc0","config":{"connector.class":"FileStreamSource","tasks.max":"1","file":"{DIR}/{P}-in.txt","topic":"{P}-tc0-lines","topic.creation.default.replication.factor":"1","topic.creation.default.partitions":"0"}}`),
		act(func(ctx context.Context, r *run) error { return r.waitSettled(ctx, r.prefix+"-tc0") }),
		c("connector-partitions-0-status", "GET", "/connectors/{P}-tc0/status", ""),
		c("delete-partitions-0", "DELETE", "/connectors/{P}-tc0", ""),
		c("connector-source-pause", "PUT", "/connectors/{P}-src/pause", ""),
		act(func(ctx context.Context, r *run) error { return r.waitState(ctx, r.prefix+"-src", "PAUSED") }),
		c("connector-source-status-paused", "GET", "/connectors/{P}-src/status", ""),
		c("connector-source-resume", "PUT", "/connectors/{P}-src/resume", ""),
		act(func(ctx context.Context, r *run) error { return r.waitRunning(ctx, r.prefix+"-src") }),
		c("connector-source-stop", "PUT", "/connectors/{P}-src/stop", ""),
		act(func(ctx context.Context, r *run) error { return r.waitState(ctx, r.prefix+"-src", "STOPPED") }),
		c("connector-source-status-stopped", "GET", "/connectors/{P}-src/status", ""),
		c("connector-source-tasks-stopped", "GET", "/connectors/{P}-src/tasks", ""),
		c("connector-source-offsets-stopped", "GET", "/connectors/{P}-src/offsets", ""),
		c("connector-source-resume-after-stop", "PUT", "/connectors/{P}-src/resume", ""),
		act(func(ctx context.Context, r *run) error { return r.waitRunning(ctx, r.prefix+"-src") }),
		c("connector-source-status-resumed", "GET", "/connectors/{P}-src/status", ""),
		act(func(ctx context.Context, r *run) error { return r.dumpTopic(ctx, "config-topic-final", r.configTopic) }),
		act(func(ctx context.Context, r *run) error { return r.dumpTopic(ctx, "status-topic-final", r.statusTopic) }),
	}
}

// expand replaces {P} and {DIR}.
func (r *run) expand(s string) string {
	s = strings.NewReplacer("{P}", r.prefix, "{DIR}", r.dir).Replace(s)
	if r.pluginVersion != "" {
		s = strings.ReplaceAll(s, kafkaVersion, r.pluginVersion)
	}
	return s
}

// kafkaVersion is the version of the captured worker's plugins.
const kafkaVersion = "4.4.0"

// waitState polls the connector's status until the connector and every task
// are in state.
func (r *run) waitState(ctx context.Context, name, state string) error {
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		st, body, err := r.do(ctx, "GET", "/connectors/"+name+"/status", nil)
		if err == nil && st == 200 {
			var s struct {
				Connector struct{ State string }
				Tasks     []struct{ State string }
			}
			if json.Unmarshal(body, &s) == nil && s.Connector.State == state {
				ok := state == "STOPPED" || len(s.Tasks) > 0
				for _, t := range s.Tasks {
					ok = ok && t.State == state
				}
				if ok {
					return nil
				}
			}
		}
		last = string(body)
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("connector %s not %s after 60s: %s", name, state, last)
}

func (r *run) waitRunning(ctx context.Context, name string) error {
	return r.waitState(ctx, name, "RUNNING")
}

// waitLines waits until the file in the run's directory has n lines.
func (r *run) waitLines(ctx context.Context, file string, n int) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(filepath.Join(r.dir, file))
		if strings.Count(string(b), "\n") >= n {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s has fewer than %d lines after 60s", file, n)
}

// waitTopics waits until the connector's active topics list topic.
func (r *run) waitTopics(ctx context.Context, name, topic string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		_, body, err := r.do(ctx, "GET", "/connectors/"+name+"/topics", nil)
		if err == nil && strings.Contains(string(body), `"`+topic+`"`) {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("connector %s lists no topic after 30s", name)
}

// waitOffsets waits until the connector's offsets hold field.
func (r *run) waitOffsets(ctx context.Context, name, field string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		_, body, err := r.do(ctx, "GET", "/connectors/"+name+"/offsets", nil)
		if err == nil && strings.Contains(string(body), `"`+field+`"`) {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("connector %s has no offsets after 30s", name)
}

// waitSettled waits until the connector is past UNASSIGNED and, when it
// runs, every task too (RUNNING or FAILED).
func (r *run) waitSettled(ctx context.Context, name string) error {
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		_, body, err := r.do(ctx, "GET", "/connectors/"+name+"/status", nil)
		if err == nil {
			var s struct {
				Connector struct{ State string }
				Tasks     []struct{ State string }
			}
			if json.Unmarshal(body, &s) == nil {
				switch s.Connector.State {
				case "FAILED":
					return nil
				case "RUNNING":
					done := len(s.Tasks) > 0
					for _, t := range s.Tasks {
						done = done && (t.State == "RUNNING" || t.State == "FAILED")
					}
					if done {
						return nil
					}
				}
			}
			last = string(body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("connector %s not settled after 60s: %s", name, last)
}
