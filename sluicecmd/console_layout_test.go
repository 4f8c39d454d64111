package sluicecmd

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sluicehq/sluice/runtime/herder"
)

// TestConsoleLayout checks the console's page against what breaks
// layouts, on a fake worker: a connector with a very long name and one
// whose failed task has a huge trace do not widen the page (the trace box
// scrolls), the table is sorted by name, keyboard focus is visible, and
// when the worker goes away the page shows the offline banner and
// recovers by itself when it is back; when the worker's clock goes back
// the page asks for the whole history again.
func TestConsoleLayout(t *testing.T) {
	w, url, stop, restart := startFakeConsoleWorker(t)
	long := "long-" + strings.Repeat("x", 400)
	var trace strings.Builder
	trace.WriteString("org.example.Boom: " + strings.Repeat("unbroken", 300) + "\n")
	for i := range 3000 {
		trace.WriteString("\tat org.example.Deep.frame" + strings.Repeat("0", i%7) + "(Deep.java:42)\n")
	}
	for _, n := range []string{"zeta", long, "alpha", "Mid", "failing"} {
		tr := ""
		if n == "failing" {
			tr = trace.String()
		}
		w.add(n, herder.Running, w.workerID, tr)
	}
	b := newBrowser(t, 90*time.Second)
	b.do("open the console", navigate(url+"/ui/"))
	b.await("five rows", `document.querySelectorAll('#connectors tbody tr').length === 5`)

	names := evalIn[[]string](b, `[...document.querySelectorAll('#connectors tbody tr')].map(r => r.dataset.name)`)
	if want := []string{"Mid", "alpha", "failing", long, "zeta"}; strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("rows in the order %q, want sorted by name %q", names, want)
	}
	noOverflow := func(what string) {
		t.Helper()
		if w := evalIn[[]int](b, `[document.documentElement.scrollWidth, window.innerWidth]`); w[0] > w[1] {
			t.Errorf("%s: the page is %d px wide in a %d px window", what, w[0], w[1])
		}
	}
	noOverflow("the table with a long name")

	b.do("open the long-named connector", chromedp.Click(`#connectors tr[data-name="`+long+`"] td.name a`))
	b.await("its details", `document.querySelector('#d-name')?.textContent.startsWith('long-')`)
	noOverflow("the details of the long-named connector")

	b.do("open the failed one", chromedp.Click(`#connectors tr[data-name="failing"] td.name a`))
	b.await("its details", `document.querySelector('#d-name')?.textContent === 'failing'`)
	b.do("open the trace", chromedp.Click("#d-tasks details.trace summary"))
	b.await("the trace open", `document.querySelector('#d-tasks details.trace[open] pre') !== null`)
	box := evalIn[[]int](b, `(() => { const p = document.querySelector('#d-tasks details.trace pre'); return [p.clientHeight, p.scrollHeight, p.clientWidth]; })()`)
	if box[0] > 340 || box[1] <= box[0] {
		t.Errorf("the trace box is %d px high showing %d px of trace: want at most 340 px, scrolling", box[0], box[1])
	}
	noOverflow("the details with a huge trace open")
	b.screenshotView("console-layout.png")

	// Keyboard focus: Tab from the page's start reaches a control, drawn
	// with an outline.
	b.do("tab", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur(), undefined`), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab))
	focus := evalIn[[]string](b, `(() => { const e = document.activeElement, s = getComputedStyle(e); return [e.tagName, s.outlineStyle, s.outlineWidth]; })()`)
	if focus[0] == "BODY" || focus[1] == "none" || focus[2] == "0px" {
		t.Errorf("the focused element %s has outline %s %s: focus not visible", focus[0], focus[1], focus[2])
	}
	// A connector's name is a link: Enter on it opens its details.
	b.do("enter on a name", chromedp.Focus(`#connectors tr[data-name="zeta"] td.name a`), chromedp.KeyEvent(kb.Enter))
	b.await("the details opened from the keyboard", `document.querySelector('#d-name')?.textContent === 'zeta'`)

	// The worker goes away: the banner says so; it comes back: the page
	// recovers by itself.
	stop()
	b.await("the offline banner", `(() => { const e = document.querySelector('#banner'); return !e.hidden && e.classList.contains('offline') && e.textContent.includes('Cannot reach the worker'); })()`)
	// In view though the page is scrolled down to the trace.
	if r := evalIn[[]float64](b, `(() => { const r = document.querySelector('#banner').getBoundingClientRect(); return [window.scrollY, r.top, r.bottom, window.innerHeight]; })()`); r[0] == 0 || r[1] < 0 || r[2] > r[3] {
		t.Errorf("the offline banner is not in view: page scrolled %.0f px, banner from %.0f to %.0f px in a %.0f px window", r[0], r[1], r[2], r[3])
	}
	b.screenshotView("console-offline.png")
	w.add("after-restart", herder.Running, w.workerID, "")
	restart()
	b.await("the banner gone and the new connector listed", `document.querySelector('#banner').hidden && document.querySelector('#connectors tr[data-name="after-restart"]') !== null`)

	// The worker's clock goes back an hour: nothing is later than the
	// newest sample the page holds, so after a few empty answers it asks
	// for the whole history again (without since).
	whole := w.historyCalls.Load() - w.sinceCalls.Load()
	w.clockShift.Store(int64(-time.Hour))
	deadline := time.Now().Add(30 * time.Second)
	for w.historyCalls.Load()-w.sinceCalls.Load() == whole {
		if time.Now().After(deadline) {
			t.Fatalf("the page kept asking with since for 30 s after the worker's clock went back (%d requests)", w.historyCalls.Load())
		}
		time.Sleep(200 * time.Millisecond) // the page's refreshes are what is awaited
	}
}
