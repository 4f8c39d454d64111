package sluicecmd

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/runtime"
)

// TestConsoleBasicAuth runs the console of a real standalone worker whose
// REST API requires HTTP basic authentication (rest.extension.classes
// with the JAAS file), in one headless Chromium: without credentials /ui/
// answers 401 with a Basic challenge and no page; with an Authorization
// header the browser adds to every request, and then with the credentials
// in the URL (which the browser keeps and answers the API's challenges
// with), the console lists the connector RUNNING and pauses and resumes
// it.
func TestConsoleBasicAuth(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	topic := testkit.NewTopic(t, bootstrap, 1)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(in, []byte("one\ntwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	props := stringWorkerProps(bootstrap, dir)
	props["rest.extension.classes"] = runtime.BasicAuthExtension
	props[runtime.RestJAASFile] = writeBasicAuth(t, dir, "alice=wonder land\n")
	addr := startStandaloneWith(t, &options{history: 200 * time.Millisecond}, props, slog.New(slog.NewTextHandler(io.Discard, nil)))
	url := "http://" + addr
	authz := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:wonder land"))

	// Without credentials: 401 with the challenge, and no page.
	resp, body := testkit.HTTPDo(t, testkit.JSONRequest(t, "GET", url+"/ui/", ""))
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != `Basic realm="sluice", charset="UTF-8"` || strings.Contains(string(body), "app.js") {
		t.Fatalf("GET /ui/ without credentials: %s, WWW-Authenticate %q, body %q; want 401 with a Basic challenge and no page", resp.Status, resp.Header.Get("WWW-Authenticate"), body)
	}

	name := "ui-auth-" + fmt.Sprint(time.Now().UnixNano())
	req := testkit.JSONRequest(t, "POST", url+"/connectors", fmt.Sprintf(
		`{"name": %q, "config": {"connector.class": "FileStreamSource", "topic": %q, "file": %q}}`, name, topic, in))
	req.Header.Set("Authorization", authz)
	resp, _ = testkit.HTTPDo(t, req)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create %s: %s", name, resp.Status)
	}

	b := newBrowser(t, 90*time.Second)
	// Headless Chromium, challenged with no credentials to give, fails
	// the load (a browser with a window asks for them).
	res, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(url+"/ui/"))
	if !(err == nil && res.Status == http.StatusUnauthorized || err != nil && strings.Contains(err.Error(), "ERR_INVALID_AUTH_CREDENTIALS")) {
		t.Fatalf("the browser without credentials: %+v (%v), want a 401 or the challenge failed", res, err)
	}
	if n := evalIn[int](b, `document.querySelectorAll('#new-connector').length`); n != 0 {
		t.Error("the console's page shows without credentials")
	}

	row := `#connectors tr[data-name="` + name + `"]`
	state := func(b *browser, want string) {
		t.Helper()
		b.await("the connector "+want, `document.querySelector('`+row+` td.state .badge')?.textContent === '`+want+`'`)
	}
	// An Authorization header added by the browser to every request of
	// the tab: the page and its API requests.
	withHeader := b.tab()
	if _, err := chromedp.Run(withHeader.ctx, func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": authz}})
		return chromedp.Void{}, err
	}); err != nil {
		t.Fatalf("set the Authorization header: %v", err)
	}
	withHeader.do("open the console with a header", navigate(url+"/ui/"))
	state(withHeader, "RUNNING")
	withHeader.do("open the details", chromedp.Click(row+" td.name a"))
	withHeader.await("its details", `document.querySelector('#d-name')?.textContent === '`+name+`'`)
	withHeader.do("pause", chromedp.Click("#d-pause"))
	state(withHeader, "PAUSED")

	// The credentials in the URL: the browser sends them for the page and
	// answers the API's challenges with them.
	withURL := "http://alice:wonder%20land@" + addr + "/ui/"
	b.do("open the console with credentials in the URL", navigate(withURL))
	state(b, "PAUSED")
	b.do("open the details", chromedp.Click(row+" td.name a"))
	b.await("its details", `document.querySelector('#d-name')?.textContent === '`+name+`'`)
	b.do("resume", chromedp.Click("#d-resume"))
	state(b, "RUNNING")
	b.screenshotView("console-auth.png")
}
