package sluicecmd

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestCLIStatusSinkLag: sluice status shows a sink's consumer lag against a
// real worker and broker. The topic holds n records before a file sink is
// created PAUSED with max.poll.records=1: its consumer fetches them (the
// high watermark is n) and takes a few records ahead for the task, one per
// batch, which wait while the task is paused. The records not yet consumed,
// n minus those, are the lag: LAG and LAG MAX (one partition) show it, the
// same as the worker's own records-lag series, between 1 and n-1 and
// steady while paused, RECORDS 0. Resumed, the sink puts all n records and
// its lag falls to 0.
func TestCLIStatusSinkLag(t *testing.T) {
	const n = 50
	bootstrap := testkit.Kafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	cfg := testkit.SaramaConfig()
	cfg.Producer.Return.Successes = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	p, err := sarama.NewSyncProducer(testkit.Addrs(bootstrap), cfg)
	if err != nil {
		t.Fatal(err)
	}
	msgs := make([]*sarama.ProducerMessage, n)
	for i := range msgs {
		msgs[i] = &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder("line " + strconv.Itoa(i))}
	}
	if err := p.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	url := startCLIWorker(t, bootstrap, dir)
	c := workerCLI{t, url}
	name := "lag-" + topic
	file := filepath.Join(dir, "sink.json")
	if err := os.WriteFile(file, []byte(`{"name":"`+name+`","initial_state":"PAUSED","config":{"connector.class":"FileStreamSink",`+
		`"file":"`+filepath.Join(dir, "out.txt")+`","topics":"`+topic+`","consumer.override.max.poll.records":"1"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c.golden("Created connector "+name+" (sink).\n", "connectors", "create", "-f", file)

	// The figures as -o json gives them, awaited; the table must show the
	// same.
	await := func(state string, lag, records int64) {
		t.Helper()
		var last string
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
			js := c.out("status", "-o", "json")
			var o struct {
				Connectors map[string]struct {
					Tasks []struct{ State string }
				}
				Metrics map[string][]taskFigures
			}
			if err := json.Unmarshal([]byte(js), &o); err != nil {
				t.Fatalf("status -o json: %v\n%s", err, js)
			}
			st, f := o.Connectors[name], o.Metrics[name]
			if len(st.Tasks) == 1 && len(f) == 1 && st.Tasks[0].State == state && f[0].Lag != nil && f[0].LagMax != nil && f[0].Records != nil && f[0].Errors != nil {
				got := f[0]
				last = fmt.Sprintf("%s lag %d max %d records %d errors %d %q", st.Tasks[0].State, *got.Lag, *got.LagMax, *got.Records, *got.Errors, got.Unavailable)
				if *got.Lag == lag && *got.LagMax == lag && *got.Records == records && *got.Errors == 0 && got.Unavailable == "" {
					break
				}
			} else {
				last = js
			}
			if time.Now().After(deadline) {
				t.Fatalf("status never showed %s with lag %d and %d records; last: %s", state, lag, records, last)
			}
		}
		table := c.out("status")
		for _, line := range strings.Split(table, "\n") {
			f := strings.Fields(line)
			if len(f) < 2 || f[0] != name || f[1] != "0" {
				continue
			}
			// CONNECTOR TASK TYPE STATE WORKER LAG "LAG MAX" RECORDS ERRORS
			want := []string{name, "0", "sink", state, "", strconv.FormatInt(lag, 10), strconv.FormatInt(lag, 10), strconv.FormatInt(records, 10), "0"}
			if len(f) == len(want) {
				want[4] = f[4] // the worker's id
			}
			if strings.Join(f, " ") != strings.Join(want, " ") {
				t.Fatalf("status: task row %q, want %q\n%s", line, want, table)
			}
			return
		}
		t.Fatalf("status: no row of task 0:\n%s", table)
	}
	// Paused: await a lag, then the same lag again (steady), and check it
	// against the worker's own series.
	var lag int64
	for deadline := time.Now().Add(time.Minute); lag == 0; time.Sleep(50 * time.Millisecond) {
		lag = sinkLag(t, c, name)
		if time.Now().After(deadline) {
			t.Fatal("the paused sink never showed a lag")
		}
	}
	if lag >= n {
		t.Fatalf("lag %d of %d records: the consumer took none ahead", lag, n)
	}
	await("PAUSED", lag, 0)
	if own := workerSeries(t, url, seriesRecordsLag, name); own != float64(lag) {
		t.Fatalf("status shows lag %d, the worker's %s %g", lag, seriesRecordsLag, own)
	}
	c.golden("Resuming connector "+name+".\n", "connectors", "resume", name)
	await("RUNNING", 0, n)
}

// sinkLag is the lag sluice status -o json gives task 0 of connector
// name, 0 when it gives none.
func sinkLag(t *testing.T, c workerCLI, name string) int64 {
	t.Helper()
	var o struct {
		Metrics map[string][]struct{ Lag *int64 }
	}
	if err := json.Unmarshal([]byte(c.out("status", "-o", "json")), &o); err != nil {
		t.Fatal(err)
	}
	if f := o.Metrics[name]; len(f) == 1 && f[0].Lag != nil {
		return *f[0].Lag
	}
	return 0
}

// workerSeries sums the series of the worker's /metrics labelled with the
// connector.
func workerSeries(t *testing.T, url, series, connector string) float64 {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil || fams[series] == nil {
		t.Fatalf("GET /metrics: %v, %s missing", err, series)
	}
	var sum float64
	for _, m := range fams[series].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "connector" && l.GetValue() == connector {
				sum += m.GetGauge().GetValue()
			}
		}
	}
	return sum
}
