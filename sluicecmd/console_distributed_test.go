package sluicecmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime/herder"
)

// TestConsoleDistributed opens the consoles of two real distributed
// workers of one cluster (on the real broker), in two tabs of one
// Chromium: each lists every connector with its state; a task running on
// the other worker shows where it runs instead of a chart; a pause through
// worker A's console is seen PAUSED on worker B's.
func TestConsoleDistributed(t *testing.T) {
	cl := newInProcCluster(t)
	a, b := cl.start("a"), cl.start("b")
	topic := testkit.NewTopic(t, cl.bootstrap, 2)
	ctx := context.Background()
	sink := "ui-dist-sink"
	if _, err := a.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: sink, Config: map[string]string{
		"connector.class": "FileStreamSink", "file": cl.dir + "/out.txt", "topics": topic,
		"consumer.override.group.id": "connect-" + topic}}); err != nil {
		t.Fatal(err)
	}
	other := "ui-dist-other"
	if _, err := b.c.CreateConnector(ctx, herder.CreateConnectorRequest{Name: other, Config: map[string]string{
		"connector.class": "FileStreamSink", "file": cl.dir + "/out2.txt", "topics": topic,
		"consumer.override.group.id": "connect-" + topic + "-2"}}); err != nil {
		t.Fatal(err)
	}
	placement := cl.awaitState(a, sink, herder.Running, 1)
	cl.awaitState(a, other, herder.Running, 1)
	// The console of the worker the sink's task does not run on.
	runs, elsewhere, elsewhereTab := placement[sink+"-0"], a, 0
	if runs == a.id {
		elsewhere, elsewhereTab = b, 1
	}

	br := newBrowser(t, 120*time.Second)
	br.do("open worker a's console", navigate("http://"+a.id+"/ui/"))
	tabB := br.tab()
	tabB.do("open worker b's console", navigate("http://"+b.id+"/ui/"))
	row := func(name string) string { return `#connectors tr[data-name="` + name + `"]` }
	for _, tab := range []*browser{br, tabB} {
		for _, n := range []string{sink, other} {
			tab.await(n+" RUNNING", `document.querySelector('`+row(n)+` td.state .badge')?.textContent === 'RUNNING'`)
		}
	}

	// On the other worker's console, the sink's task says where it runs.
	tab := []*browser{br, tabB}[elsewhereTab]
	tab.do("open the sink on "+elsewhere.name, chromedp.Click(row(sink)+" td.name a"))
	tab.await("the note on the task running on "+runs, `document.querySelector('#d-tasks tr[data-task="0"]')?.textContent.includes('runs on `+runs+`')`)
	if got := tab.text(`#d-tasks tr[data-task="0"]`); !strings.Contains(got, "open that worker's console") {
		t.Errorf("the task running on %s shows %q on %s's console", runs, got, elsewhere.name)
	}
	tab.screenshotView("console-distributed.png")

	// Pause through a's console; b's shows it PAUSED.
	br.do("open the sink on a", chromedp.Click(row(sink)+" td.name a"))
	br.await("its details on a", `document.querySelector('#d-name')?.textContent === '`+sink+`'`)
	br.do("pause on a", chromedp.Click("#d-pause"))
	br.await("PAUSED on a", `document.querySelector('`+row(sink)+` td.state .badge')?.textContent === 'PAUSED'`)
	tabB.await("PAUSED on b", `document.querySelector('`+row(sink)+` td.state .badge')?.textContent === 'PAUSED'`)
	tabB.await("its tasks PAUSED on b", `[...document.querySelectorAll('`+row(sink)+` td.tasks .badge')].every(e => e.textContent === 'PAUSED')`)
}
