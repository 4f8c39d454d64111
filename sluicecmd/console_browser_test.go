package sluicecmd

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sluicehq/sluice/internal/testkit"
)

// TestConsoleInBrowser drives the web console in a real headless Chromium
// against a real standalone worker on the real broker: it creates a
// FileStreamSource through the form, first with a tasks.max the worker's
// validation refuses (the error shows beside that key), then fixed; sees the
// connector RUNNING in the list and its throughput chart above zero once
// records flowed; pauses it with the details panel's button and sees
// PAUSED; sees a hostile configuration value shown as text; stops it from
// the offsets section and sees its offsets; opens the trace of a failed
// sink task; and saves full-page screenshots, console-form.png (the form
// showing the error), console-paused.png (just paused) and console.png (the
// end), in the test's artifact
// directory (go test -artifacts keeps it; make test puts it under
// .cache/test-artifacts).
func TestConsoleInBrowser(t *testing.T) {
	b := newBrowser(t, 90*time.Second)
	bootstrap := testkit.RealKafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	var lines strings.Builder
	for i := range 500 {
		fmt.Fprintf(&lines, "line %d\n", i)
	}
	if err := os.WriteFile(in, []byte(lines.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "http://" + startConsoleWorker(t, bootstrap, dir)
	name := "ui-source-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	const hostile = `<img src=x onerror="document.title='pwned'"><b>bold</b>`

	bctx, do, await, text, screenshot := b.ctx, b.do, b.await, b.text, b.screenshot
	q := strconv.Quote

	// /ui redirects to /ui/, where the page loads its script.
	do("open the console", chromedp.Navigate(url+"/ui"), chromedp.WaitVisible("#new-connector"))
	loc, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil || loc != url+"/ui/" {
		t.Fatalf("location %q (%v), want %s/ui/", loc, err, url)
	}
	await("the empty list", `!document.querySelector('#empty').hidden`)

	// The form: a plugin from GET /connector-plugins, its required keys
	// added as rows once validated.
	do("open the form", chromedp.Click("#new-connector"), chromedp.WaitVisible("#ed-name"))
	await("the plugins", `[...document.querySelectorAll('#ed-class option')].some(o => o.value === 'org.apache.kafka.connect.file.FileStreamSourceConnector')`)
	do("name and plugin",
		chromedp.SendKeys("#ed-name", name),
		chromedp.SetValue("#ed-class", "org.apache.kafka.connect.file.FileStreamSourceConnector"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#ed-class').dispatchEvent(new Event('change')), undefined`))
	await("a row for the required key topic", `document.querySelector('#ed-rows tr[data-key="topic"]') !== null`)

	// A deliberate mistake: the validation's error shows beside tasks.max.
	taskMax := `#ed-rows tr[data-key="tasks.max"]`
	do("type a bad tasks.max", retype(taskMax+" input.v", "many"))
	await("the error beside tasks.max", `document.querySelector(`+q(taskMax+" .err")+`).textContent.includes('many')`)
	if got := text(taskMax + " .err"); !strings.Contains(got, "tasks.max") {
		t.Errorf("the error beside tasks.max does not name it: %q", got)
	}
	if got := text(`#ed-rows tr[data-key="topic"] .err`); got == "" {
		t.Errorf("no error beside the empty required key topic")
	}
	screenshot("console-form.png")

	// Fixed, with topic and file filled in: valid, then created.
	do("fix the form",
		retype(taskMax+" input.v", "1"),
		chromedp.SendKeys(`#ed-rows tr[data-key="topic"] input.v`, topic),
		chromedp.Click("#ed-add"),
		chromedp.SendKeys("#ed-rows tbody tr:last-child input.k", "file"),
		chromedp.SendKeys("#ed-rows tbody tr:last-child input.v", in),
		// A value that would run script if the page took it as markup.
		chromedp.Click("#ed-add"),
		chromedp.SendKeys("#ed-rows tbody tr:last-child input.k", "note"),
		chromedp.SendKeys("#ed-rows tbody tr:last-child input.v", hostile))
	await("the form valid", `document.querySelector('#ed-status').textContent === 'Valid'`)
	if got := text(taskMax + " .err"); got != "" {
		t.Errorf("tasks.max still shows an error once fixed: %q", got)
	}
	do("submit", chromedp.Click("#ed-submit"))

	row := `#connectors tr[data-name=` + q(name) + `]`
	await("the connector RUNNING in the list", `document.querySelector(`+q(row+" td.state .badge")+`)?.textContent === 'RUNNING'`)
	await("its task RUNNING", `document.querySelector(`+q(row+" td.tasks .badge")+`)?.textContent === 'RUNNING'`)
	// The worker asked for port 0: the Worker column names the bound port,
	// as Kafka Connect advertises it.
	if w := text(row + " td.worker"); "http://"+w != url {
		t.Errorf("the Worker column says %q, want the worker's address %s", w, url)
	}
	// The 500 lines are polled and written within a sample or two: the
	// chart's highest point is above zero.
	await("a throughput chart above zero", `Math.max(...[...document.querySelectorAll(`+q(row+" .chart")+`)].map(c => Number(c.dataset.max || 0))) > 0`)
	await("the task's chart in the details panel", `document.querySelector('#d-tasks .chart') !== null`)

	// Pause from the details panel (opened on creation).
	await("the details of the connector", `document.querySelector('#d-name')?.textContent === `+q(name))
	do("pause", chromedp.Click("#d-pause"))
	await("the connector PAUSED in the list", `document.querySelector(`+q(row+" td.state .badge")+`)?.textContent === 'PAUSED'`)
	await("PAUSED in the details panel", `document.querySelector('#d-head .badge')?.textContent === 'PAUSED'`)
	await("the task PAUSED", `document.querySelector(`+q(row+" td.tasks .badge")+`)?.textContent === 'PAUSED'`)
	screenshot("console-paused.png")

	// The hostile value is shown as text, not markup.
	await("the note in the configuration", `[...document.querySelectorAll('#d-config td')].some(td => td.textContent === `+q(hostile)+`)`)
	if n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('main img, main b').length`)); err != nil || n != 0 {
		t.Errorf("the page made elements of a configuration value: %d img/b elements (%v)", n, err)
	}

	// Offsets: the panel says the connector must be STOPPED, and its Stop
	// button stops it; then the file source's offset shows.
	await("the offsets note", `document.querySelector('#d-offsets .note-warn')?.textContent.includes('STOPPED')`)
	do("stop from the offsets section", chromedp.Click("#d-offsets .note-warn button"))
	await("the connector STOPPED", `document.querySelector(`+q(row+" td.state .badge")+`)?.textContent === 'STOPPED'`)
	await("its offsets listed", `[...document.querySelectorAll('#d-offsets td')].some(td => td.textContent.includes('"position"'))`)

	// Edit: the form holds the stored configuration; Save replaces it.
	do("edit", chromedp.Click("#d-edit"), chromedp.WaitVisible(`#ed-rows tr[data-key="note"] input.v`))
	if v, err := chromedp.Run(bctx, chromedp.Value(`#ed-rows tr[data-key="note"] input.v`)); err != nil || v != hostile {
		t.Errorf("the form holds note=%q (%v), want the stored value", v, err)
	}
	do("change note and save", retype(`#ed-rows tr[data-key="note"] input.v`, "plain"))
	await("the edited form valid", `document.querySelector('#ed-status').textContent === 'Valid'`)
	do("save", chromedp.Click("#ed-submit"))
	await("the new value in the configuration", `[...document.querySelectorAll('#d-config td')].some(td => td.textContent === 'plain')`)

	// A failed task's trace: a sink whose file cannot be opened.
	failing := name + "-sink"
	resp, err := http.Post(url+"/connectors", "application/json", strings.NewReader(fmt.Sprintf(
		`{"name": %q, "config": {"connector.class": "FileStreamSink", "topics": %q, "file": %q}}`,
		failing, topic, filepath.Join(dir, "missing", "out.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create %s: %s", failing, resp.Status)
	}
	failRow := `#connectors tr[data-name=` + q(failing) + `]`
	await("the sink's task FAILED", `document.querySelector(`+q(failRow+" td.tasks .badge")+`)?.textContent === 'FAILED'`)
	do("open the failed sink", chromedp.Click(failRow+" td.name a"))
	await("its details", `document.querySelector('#d-name')?.textContent === `+q(failing))
	do("open the trace", chromedp.Click("#d-tasks details.trace summary"))
	await("the trace, naming the file", `document.querySelector('#d-tasks details.trace[open] pre')?.textContent.includes('out.txt')`)

	screenshot("console.png")
}

// startConsoleWorker runs a standalone worker with string converters,
// sampling its metrics history every 200 ms, and returns its address.
func startConsoleWorker(t *testing.T, bootstrap, dir string) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return startStandaloneWith(t, &options{history: 200 * time.Millisecond}, stringWorkerProps(bootstrap, dir), log)
}
