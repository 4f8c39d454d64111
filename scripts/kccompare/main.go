// Command kccompare sends one fixed sequence of REST calls to a Kafka Connect
// compatible worker and either records the answers as golden files (capture)
// or compares them, field by field, with recorded ones (compare).
//
// It is a tool for people, not part of make test:
//
//	go run ./scripts/kccompare -mode capture -url http://127.0.0.1:18444 -prefix kc44cap \
//	    -config-topic kc44cap-configs -status-topic kc44cap-status -out api/testdata/kc-4.4.0
//	go run ./scripts/kccompare -mode compare -url http://127.0.0.1:18445 -prefix sl44cap \
//	    -config-topic sl44cap-configs -status-topic sl44cap-status -golden api/testdata/kc-4.4.0 \
//	    -plugin-version 0.1.0
//
// The prefix names the connectors, the topic and the files of the run; in
// compare mode the run's prefix and REST address are replaced by the golden
// run's before comparing.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/runtime/kafka"
)

// run is one pass of the sequence against one worker.
type run struct {
	base, prefix, dir        string
	brokers                  []string
	configTopic, statusTopic string
	client                   *http.Client
	answers                  []answer
	topics                   map[string][]record
	described                map[string]topicDesc
	lenient                  bool     // compare mode: a failed wait or dump is noted, not fatal
	failedSteps              []string // the waits and dumps that failed, in lenient mode
	// pluginVersion, in compare mode, is the version of the worker's
	// built-in plugins: the sequence asks for it where it asks Kafka
	// Connect for 4.4.0, and the comparison reads it as 4.4.0.
	pluginVersion string
	log           *slog.Logger
}

func main() {
	var (
		mode    = flag.String("mode", "capture", "capture or compare")
		url     = flag.String("url", "http://127.0.0.1:8083", "the worker's REST address")
		prefix  = flag.String("prefix", "kc44cap", "prefix of the run's connectors, topic and files")
		dir     = flag.String("dir", "/tmp", "directory of the file connectors' files")
		brokers = flag.String("brokers", "127.0.0.1:9092", "bootstrap servers")
		cfgT    = flag.String("config-topic", "", "the worker's config topic (dumped)")
		stT     = flag.String("status-topic", "", "the worker's status topic (dumped)")
		out     = flag.String("out", "", "capture: directory of the golden files; compare: where the run's answers go (optional)")
		golden  = flag.String("golden", "api/testdata/kc-4.4.0", "compare: the golden directory")
		from    = flag.String("from", "", "compare: read the run's answers from this directory (written by -out) instead of sending the calls")
		ignore  = flag.String("ignore", "", "compare: comma-separated path suffixes not compared, e.g. /documentation")
		plugVer = flag.String("plugin-version", "", "compare: the version of the worker's built-in plugins (sluice's), asked for and compared as Kafka's "+kafkaVersion)
	)
	flag.Parse()
	if *ignore != "" {
		ignored = strings.Split(*ignore, ",")
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	r := &run{base: strings.TrimSuffix(*url, "/"), prefix: *prefix, dir: *dir, brokers: strings.Split(*brokers, ","),
		configTopic: *cfgT, statusTopic: *stT, client: &http.Client{Timeout: 90 * time.Second},
		topics: map[string][]record{}, described: map[string]topicDesc{}, log: log}
	r.lenient = *mode == "compare"
	if r.lenient {
		r.pluginVersion = *plugVer
	}
	ctx := context.Background()
	if *from != "" {
		loaded, err := loadRun(*from)
		if err != nil {
			log.Error("load", "err", err)
			os.Exit(1)
		}
		r, *out = loaded, ""
		r.pluginVersion = *plugVer
	} else if err := r.execute(ctx); err != nil {
		log.Error("sequence failed", "err", err)
		os.Exit(1)
	}
	switch *mode {
	case "capture":
		if err := r.write(*out); err != nil {
			log.Error("write", "err", err)
			os.Exit(1)
		}
	case "compare":
		if *out != "" {
			if err := r.write(*out); err != nil {
				log.Error("write", "err", err)
				os.Exit(1)
			}
		}
		n, err := compare(os.Stdout, r, *golden)
		if err != nil {
			log.Error("compare", "err", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stdout, "%d differences\n", n)
	default:
		log.Error("unknown mode", "mode", *mode)
		os.Exit(2)
	}
}

// execute runs the sequence.
func (r *run) execute(ctx context.Context) error {
	for _, s := range sequence() {
		if s.action != nil {
			if err := s.action(ctx, r); err != nil {
				if !r.lenient {
					return err
				}
				r.log.Warn("step failed", "err", err)
				r.failedSteps = append(r.failedSteps, err.Error())
			}
			continue
		}
		cl := s.call
		var body []byte
		if cl.Body != nil {
			body = []byte(r.expand(string(cl.Body)))
		}
		path := r.expand(cl.Path)
		resp, err := r.send(ctx, cl.Method, path, body)
		if err != nil {
			return fmt.Errorf("%s: %w", cl.Name, err)
		}
		ans, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("%s: read answer: %w", cl.Name, err)
		}
		a := answer{Name: cl.Name, Method: cl.Method, Path: path, Body: body, Status: resp.StatusCode, Answer: ans}
		if cl.Headers {
			a.Headers = map[string]string{}
			for k := range resp.Header {
				if k != "Date" {
					a.Headers[k] = resp.Header.Get(k)
				}
			}
		}
		r.log.Info("call", "name", cl.Name, "status", resp.StatusCode)
		r.answers = append(r.answers, a)
	}
	return nil
}

func (r *run) send(ctx context.Context, method, path string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	return r.client.Do(req)
}

func (r *run) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	resp, err := r.send(ctx, method, path, body)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// record is one record of an internal topic.
type record struct {
	Partition int32           `json:"partition"`
	Offset    int64           `json:"offset"`
	Key       *string         `json:"key"`
	Value     json.RawMessage `json:"value"` // null for a tombstone; a JSON string when the value is not JSON
	Headers   []string        `json:"headers,omitempty"`
}

// dumpTopic reads every record of topic, partition by partition, up to the
// high watermark.
func (r *run) dumpTopic(ctx context.Context, name, topic string) error {
	if topic == "" {
		return nil
	}
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_0_0_0
	cl, err := sarama.NewClient(r.brokers, cfg)
	if err != nil {
		return fmt.Errorf("dump %s: %w", topic, err)
	}
	defer cl.Close()
	cons, err := sarama.NewConsumerFromClient(cl)
	if err != nil {
		return fmt.Errorf("dump %s: %w", topic, err)
	}
	defer cons.Close()
	parts, err := cl.Partitions(topic)
	if err != nil {
		return fmt.Errorf("dump %s: %w", topic, err)
	}
	var recs []record
	for _, p := range parts {
		hw, err := cl.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			return fmt.Errorf("dump %s/%d: %w", topic, p, err)
		}
		if hw == 0 {
			continue
		}
		pc, err := cons.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			return fmt.Errorf("dump %s/%d: %w", topic, p, err)
		}
		timeout := time.After(30 * time.Second)
	loop:
		for {
			select {
			case m := <-pc.Messages():
				rec := record{Partition: p, Offset: m.Offset}
				if m.Key != nil {
					k := string(m.Key)
					rec.Key = &k
				}
				switch {
				case m.Value == nil:
					rec.Value = json.RawMessage("null")
				case rec.Key != nil && *rec.Key == "session-key":
					rec.Value = redactSessionKey(m.Value)
				case json.Valid(m.Value):
					rec.Value = append(json.RawMessage(nil), m.Value...)
				default:
					b, _ := json.Marshal(string(m.Value))
					rec.Value = b
				}
				for _, h := range m.Headers {
					rec.Headers = append(rec.Headers, string(h.Key)+"="+string(h.Value))
				}
				recs = append(recs, rec)
				if m.Offset+1 >= hw {
					break loop
				}
			case <-timeout:
				pc.Close()
				return fmt.Errorf("dump %s/%d: timed out before offset %d", topic, p, hw)
			}
		}
		pc.Close()
	}
	r.topics[name] = recs
	return nil
}

// write stores the answers, one file per call, the topics' dumps and an index.
func (r *run) write(dir string) error {
	if dir == "" {
		return errors.New("no output directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	for i := range r.answers {
		a := &r.answers[i]
		if len(bytes.TrimSpace(a.Answer)) == 0 {
			continue
		}
		a.File = a.Name + ".json"
		content := a.Answer
		var buf bytes.Buffer
		if json.Indent(&buf, a.Answer, "", "  ") == nil {
			content = append(buf.Bytes(), '\n')
		} else {
			a.File = a.Name + ".txt"
		}
		if err := os.WriteFile(filepath.Join(dir, a.File), content, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", a.File, err)
		}
	}
	for name, recs := range r.topics {
		b, err := json.MarshalIndent(recs, "", "  ")
		if err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	for name, d := range r.described {
		b, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	idx := struct {
		Prefix  string   `json:"prefix"`
		URL     string   `json:"url"`
		Dir     string   `json:"dir"`
		Answers []answer `json:"calls"`
	}{r.prefix, r.base, r.dir, r.answers}
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "index.json"), append(b, '\n'), 0o644)
}

// redactSessionKey replaces the key of a session-key record (the secret that
// signs the workers' internal requests) by "REDACTED", keeping the other fields.
func redactSessionKey(v []byte) json.RawMessage {
	var m map[string]any
	if json.Unmarshal(v, &m) != nil {
		return json.RawMessage(`"REDACTED"`)
	}
	if _, ok := m["key"]; ok {
		m["key"] = "REDACTED"
	}
	b, _ := json.Marshal(m)
	return b
}

// topicDesc is what the broker says of a topic: its partitions and the
// configs set on it (not the broker's defaults).
type topicDesc struct {
	Partitions        int               `json:"partitions"`
	ReplicationFactor int               `json:"replication_factor"`
	Configs           map[string]string `json:"configs"`
}

// describeTopic records the topic's partitions and its non-default configs.
func (r *run) describeTopic(ctx context.Context, name, topic string) error {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_0_0_0
	adm, err := sarama.NewClusterAdmin(r.brokers, cfg)
	if err != nil {
		return fmt.Errorf("describe %s: %w", topic, err)
	}
	defer adm.Close()
	md, err := adm.DescribeTopics([]string{topic})
	if err != nil || len(md) != 1 || md[0].Err != sarama.ErrNoError {
		return fmt.Errorf("describe %s: %v %v", topic, err, md)
	}
	d := topicDesc{Partitions: len(md[0].Partitions), Configs: map[string]string{}}
	if len(md[0].Partitions) > 0 {
		d.ReplicationFactor = len(md[0].Partitions[0].Replicas)
	}
	entries, err := kafka.DescribeTopicConfig(adm, topic)
	if err != nil {
		return fmt.Errorf("describe %s configs: %w", topic, err)
	}
	for _, e := range entries {
		if e.Source == sarama.SourceTopic {
			d.Configs[e.Name] = e.Value
		}
	}
	r.described[name] = d
	return nil
}
