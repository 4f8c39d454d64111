package sluicecmd

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sluicehq/sluice/internal/testkit"
)

// browser is one headless Chromium process with one tab, driven by a
// console test.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// newBrowser starts Chromium (skipped, or failed under CI=true, when
// missing) with a window of 1280×900; it ends with the test, or after
// limit.
func newBrowser(t *testing.T, limit time.Duration) *browser {
	t.Helper()
	chromium := testkit.Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancel()
	})
	return &browser{t: t, ctx: bctx}
}

// do runs steps, failing the test with what on an error.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// await polls the page until the JavaScript expression is true (30 s at
// most).
func (b *browser) await(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			body, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('main')?.innerText ?? document.body.innerText`))
			b.t.Fatalf("%s: not seen within 30 s (last error %v); the page shows:\n%s", what, err, body)
		}
		time.Sleep(100 * time.Millisecond) // the page's own refresh is what is awaited
	}
}

// text returns the text of the element sel selects.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(sel))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// screenshot saves the whole page as a PNG in the test's artifacts and
// returns its path.
func (b *browser) screenshot(file string) string {
	b.t.Helper()
	return b.save(file, chromedp.FullScreenshot(100))
}

// screenshotView saves what the window shows (a page too long for a
// whole-page shot).
func (b *browser) screenshotView(file string) string {
	b.t.Helper()
	return b.save(file, chromedp.CaptureScreenshot())
}

func (b *browser) save(file string, shot chromedp.Action[[]byte]) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, shot)
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(b.t.ArtifactDir(), file)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s (%d bytes)", path, len(png))
	return path
}

// retype replaces an input's value by typing (the page validates on input
// events).
func retype(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Evaluate[chromedp.Void](`document.querySelector(`+strconv.Quote(sel)+`).value = '', undefined`),
		chromedp.SendKeys(sel, value))
}

// evalIn evaluates a JavaScript expression in b's page.
func evalIn[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// navigate opens url and waits for the console's page to be there.
func navigate(url string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Navigate(url), chromedp.WaitVisible("#new-connector"))
}

// tab opens another tab of the same Chromium process: call it once b
// ran an action (before, the tab would start a browser of its own).
func (b *browser) tab() *browser {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	return &browser{t: b.t, ctx: ctx}
}
