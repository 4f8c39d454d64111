package counter_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/connectortest"
	"github.com/sluicehq/sluice/examples/counter"
)

func TestAcceptance(t *testing.T) {
	connectortest.Source(t, connectortest.SourceConfig{
		Plugin: counter.Plugin,
		Props: func(*testing.T) map[string]string {
			return map[string]string{"topic": "counts", "interval.ms": "1", "partitions": "3"}
		},
		BadProps: []connectortest.BadProps{
			{Props: map[string]string{"topic": "counts", "partitions": "0"}, Key: "partitions"},
			{Props: map[string]string{"topic": "counts", "interval.ms": "-5"}, Key: "interval.ms"},
			{Props: map[string]string{"topic": "no spaces in topics"}, Key: "topic"},
		},
	})
}

// A limited counter writes limit numbers per partition from start, then
// nothing more.
func TestLimit(t *testing.T) {
	ctx := context.Background()
	conn := counter.Plugin.New().(connectors.SourceConnector)
	props := map[string]string{"topic": "counts", "interval.ms": "0", "start": "100", "limit": "5", "partitions": "2"}
	if err := conn.Start(ctx, connectortest.NewConnectorContext(t), props); err != nil {
		t.Fatal(err)
	}
	defer conn.Stop(ctx)
	cfgs, err := conn.TaskConfigs(1)
	if err != nil || len(cfgs) != 1 {
		t.Fatalf("TaskConfigs(1) = %v, %v", cfgs, err)
	}
	task := conn.NewTask()
	if err := task.Start(ctx, connectortest.NewSourceTaskContext(t, connectortest.NewOffsets()), cfgs[0]); err != nil {
		t.Fatal(err)
	}
	defer task.Stop(ctx)
	got := map[int64][]int64{}
	for range 10 {
		pctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		recs, err := task.Poll(pctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			p := r.SourcePartition["partition"].(int64)
			got[p] = append(got[p], r.Value.(int64))
		}
	}
	want := map[int64][]int64{0: {100, 101, 102, 103, 104}, 1: {100, 101, 102, 103, 104}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("numbers = %v, want %v", got, want)
	}
}
