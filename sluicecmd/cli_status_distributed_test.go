package sluicecmd

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestCLIStatusDistributed: against a cluster of two in-process workers,
// sluice status asked of one shows the figures of two sinks' tasks, one on
// each worker: the other worker's are read from its /metrics at the
// host:port of its worker_id. Each sink reads a topic of a known number of
// records (7 and 11): its RECORDS are those, its lag 0, and no worker is
// marked unreachable.
func TestCLIStatusDistributed(t *testing.T) {
	cl := newInProcCluster(t)
	a := cl.start("a")
	cl.start("b")
	cfg := testkit.SaramaConfig()
	cfg.Producer.Return.Successes = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	p, err := sarama.NewSyncProducer(testkit.Addrs(cl.bootstrap), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	want := map[string]int64{} // records by connector
	for i, n := range []int64{7, 11} {
		topic := testkit.NewTopic(t, cl.bootstrap, 1)
		var msgs []*sarama.ProducerMessage
		for j := range n {
			msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(fmt.Sprint(j))})
		}
		if err := p.SendMessages(msgs); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("status-%d-%s", i, topic)
		want[name] = n
		if _, err := a.c.CreateConnector(context.Background(), herder.CreateConnectorRequest{Name: name, Config: map[string]string{
			"connector.class": "FileStreamSink", "file": filepath.Join(cl.dir, name+".txt"), "topics": topic,
			"consumer.override.group.id": "connect-" + name}}); err != nil {
			t.Fatal(err)
		}
	}
	// The two tasks run, one on each worker.
	cl.eventually(60*time.Second, "a task on each worker", func() (bool, string) {
		workers := map[string]bool{}
		for name := range want {
			st, err := a.c.ConnectorStatus(context.Background(), name)
			if err != nil || len(st.Tasks) != 1 || st.Tasks[0].State != herder.Running {
				return false, fmt.Sprint(st, err)
			}
			workers[st.Tasks[0].WorkerID] = true
		}
		return len(workers) == 2, fmt.Sprint(workers)
	})

	c := workerCLI{t, a.c.BaseURL()}
	cl.eventually(60*time.Second, "both sinks' records in sluice status -o json", func() (bool, string) {
		js := c.out("status", "-o", "json")
		var o struct {
			Metrics map[string][]taskFigures `json:"metrics"`
		}
		if err := json.Unmarshal([]byte(js), &o); err != nil {
			return false, err.Error()
		}
		for name, n := range want {
			f := o.Metrics[name]
			if len(f) != 1 || f[0].Unavailable != "" || f[0].Lag == nil || f[0].LagMax == nil || f[0].Records == nil || f[0].Errors == nil ||
				*f[0].Lag != 0 || *f[0].LagMax != 0 || *f[0].Records != n || *f[0].Errors != 0 {
				return false, js
			}
		}
		return true, ""
	})
	// The table shows the same, with no footnote.
	table := c.out("status")
	for name, n := range want {
		row := ""
		for _, l := range strings.Split(table, "\n") {
			if fs := strings.Fields(l); len(fs) == 9 && fs[0] == name && fs[1] == "0" {
				row = strings.Join(append(fs[:4:4], fs[5:]...), " ")
			}
		}
		if w := fmt.Sprintf("%s 0 sink RUNNING 0 0 %d 0", name, n); row != w {
			t.Errorf("%s: row %q, want %q\n%s", name, row, w, table)
		}
	}
	if strings.Contains(table, "? worker") {
		t.Errorf("a worker could not be asked:\n%s", table)
	}
}
