package sluicecmd

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sluicehq/sluice/runtime/herder"
)

// TestConsoleManyConnectors opens the console of a worker with 2,000
// connectors whose tasks run on it (a fake worker: the real API handler
// over a map, a made-up metrics history of one sample a second) and
// measures what the page costs: the time it takes to render the table at
// each refresh, and the bytes of metrics history it fetches. The rows are
// sorted by name and kept from one refresh to the next (not rebuilt), the
// page asks for the history since the newest sample it holds, and the
// worker's first answer is bounded by its cap.
func TestConsoleManyConnectors(t *testing.T) {
	const n = 2000
	w, url, _, _ := startFakeConsoleWorker(t)
	for i := range n {
		w.add(connectorName("bulk", i), herder.Running, w.workerID, "")
	}
	w.start = time.Now().Add(-3 * time.Minute) // a history to show at once
	b := newBrowser(t, 120*time.Second)
	b.do("open the console", navigate(url+"/ui/"))
	b.await("2,000 rows", `document.querySelectorAll('#connectors tbody tr').length === 2000`)
	first := w.historyBytes.Load()
	if first > 3_000_000 {
		t.Errorf("the first metrics history answer is %d bytes: not bounded by the worker's cap", first)
	}
	sorted := evalIn[bool](b, `(() => { const n = [...document.querySelectorAll('#connectors tbody tr')].map(r => r.dataset.name);
		return n.every((x, i) => i === 0 || n[i-1] < x); })()`)
	if !sorted {
		t.Error("the rows are not sorted by name")
	}
	// A row kept across refreshes: the same element, its chart redrawn.
	row := `#connectors tr[data-name="` + connectorName("bulk", 1234) + `"]`
	b.do("mark a row", chromedp.Evaluate[chromedp.Void](`window.markedRow = document.querySelector('`+row+`'), undefined`))
	// points is how many samples a row's chart draws.
	points := func(name string) int {
		t.Helper()
		return evalIn[int](b, `(document.querySelector('#connectors tr[data-name="`+name+`"] polyline')?.getAttribute('points') || '').split(' ').filter(Boolean).length`)
	}
	top, far := connectorName("bulk", 0), connectorName("bulk", 1500)
	before := points(top)
	// A few sampling intervals of refreshes.
	b.await("ten renders", `performance.getEntriesByName('sluice-render').length >= 10`)
	if !evalIn[bool](b, `window.markedRow === document.querySelector('`+row+`')`) {
		t.Error("a row whose connector did not change was rebuilt")
	}
	// The first answer was cut to a few samples per task; the page adds
	// the new ones to the charts in view, and to a row's once it is
	// scrolled to.
	after := points(top)
	if before == 0 || after <= before {
		t.Errorf("the top row's chart drew %d samples, then %d: want more as samples come", before, after)
	}
	b.do("scroll far down", chromedp.Evaluate[chromedp.Void](`document.querySelector('#connectors tr[data-name="`+far+`"]').scrollIntoView(), undefined`))
	b.await("the far row's chart up to date", `(document.querySelector('#connectors tr[data-name="`+far+`"] polyline')?.getAttribute('points') || '').split(' ').length >= `+strconv.Itoa(after))
	renders := evalIn[[]float64](b, `performance.getEntriesByName('sluice-render').map(e => e.duration)`)
	calls, since, bytes := w.historyCalls.Load(), w.sinceCalls.Load(), w.historyBytes.Load()
	t.Logf("%d renders of %d connectors: first %.0f ms, then %.0f ms", len(renders), n, renders[0], renders[1:])
	t.Logf("metrics history: %d requests, %d with since, %d bytes the first, %d bytes in all", calls, since, first, bytes)
	t.Logf("GET /connectors: %d requests, %d bytes each", w.listCalls.Load(), w.listBytes.Load()/max(w.listCalls.Load(), 1))
	if calls < 3 || since != calls-1 {
		t.Errorf("%d history requests, %d with since: want every one after the first with since", calls, since)
	}
	if later := (bytes - first) / (calls - 1); later*2 > first {
		t.Errorf("the later history answers are %d bytes each, the first %d: the page does not ask for the new samples only", later, first)
	}
	// Generous bounds for a loaded two-core machine; the log line says how
	// far from them a run is.
	for i, d := range renders[1:] {
		if d > 1500 {
			t.Errorf("render %d of %d connectors took %.0f ms", i+1, n, d)
		}
	}
	b.screenshotView("console-2000.png")
}
