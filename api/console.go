package api

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/sluicehq/sluice/runtime/herder"
)

// consoleFiles are the web console's assets: one page, one script, one
// style sheet, plain files with no build step.
//
//go:embed console/index.html console/app.js console/app.css
var consoleFiles embed.FS

// consoleAsset is one embedded file of the console, with its ETag.
type consoleAsset struct {
	name, contentType, etag string
	data                    []byte
}

// consoleAssets maps the console's paths to their files.
var consoleAssets = func() map[string]consoleAsset {
	out := map[string]consoleAsset{}
	for path, f := range map[string][2]string{
		"/ui/":        {"console/index.html", "text/html; charset=utf-8"},
		"/ui/app.js":  {"console/app.js", "text/javascript; charset=utf-8"},
		"/ui/app.css": {"console/app.css", "text/css; charset=utf-8"},
	} {
		data, err := consoleFiles.ReadFile(f[0])
		if err != nil {
			panic("api: console asset " + f[0] + " not embedded: " + err.Error())
		}
		sum := sha256.Sum256(data)
		out[path] = consoleAsset{name: f[0], contentType: f[1], etag: `"` + hex.EncodeToString(sum[:12]) + `"`, data: data}
	}
	return out
}()

// consoleCSP lets the console's page load its own script and style sheet
// and talk to its own origin, and nothing else: no inline script, no other
// origin, no framing.
const consoleCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// ConsoleHeader is the request header the console's script sends with
// every API request: a 401 answer to it carries a WWW-Authenticate
// challenge, so that the browser sends the credentials it was given for
// the console's page (Kafka Connect's 401 has no challenge).
const ConsoleHeader = "X-Sluice-Console"

// isConsolePath reports whether p is /ui or under /ui/.
func isConsolePath(p string) bool { return p == "/ui" || strings.HasPrefix(p, "/ui/") }

// serveConsole answers a request under /ui: /ui redirects to /ui/, the
// three assets are served with their ETag (revalidated on every use, so a
// new binary's assets are picked up at once), anything else is a 404.
func (s *server) serveConsole(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ui" {
		// Relative, so that it works behind a proxy that adds a prefix.
		w.Header().Set("Location", "ui/")
		w.WriteHeader(http.StatusMovedPermanently)
		return
	}
	a, ok := consoleAssets[r.URL.Path]
	if !ok {
		s.writeError(w, r, herder.NotFound("HTTP 404 Not Found"))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, r, &herder.Error{Code: http.StatusMethodNotAllowed, Message: "HTTP 405 Method Not Allowed"})
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Content-Security-Policy", consoleCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.data))
}

// metricsHistory answers GET /sluice/metrics/history: the recent
// throughput, errors and lag of this worker's tasks (404 when the worker
// keeps none), of one connector's with ?connector=, newer than a time with
// ?since=. A malformed parameter is a 400 naming it.
func (s *server) metricsHistory(w http.ResponseWriter, r *http.Request) error {
	if s.History == nil {
		return herder.NotFound("HTTP 404 Not Found")
	}
	q := r.URL.Query()
	connector, err := singleParam(q, "connector")
	if err != nil {
		return err
	}
	if i := strings.IndexFunc(connector, unicode.IsControl); i >= 0 {
		return herder.BadRequest("Invalid value %q for query parameter connector: a connector name has no control characters", truncate(connector, 200))
	}
	raw, err := singleParam(q, "since")
	if err != nil {
		return err
	}
	var since int64
	if raw != "" {
		// Digits only: no sign, no spaces, no exponent.
		since, err = strconv.ParseInt(raw, 10, 64)
		if err != nil || strings.TrimLeft(raw, "0123456789") != "" {
			return herder.BadRequest("Invalid value %q for query parameter since: expected a time in Unix milliseconds, a whole number from 0 to %d",
				truncate(raw, 40), int64(math.MaxInt64))
		}
	}
	return writeJSON(w, http.StatusOK, s.History(connector, since))
}

// singleParam returns a query parameter given at most once ("" when
// absent), or a 400 naming it.
func singleParam(q url.Values, name string) (string, error) {
	vals := q[name]
	if len(vals) > 1 {
		return "", herder.BadRequest("Query parameter %s is given %d times: give it at most once", name, len(vals))
	}
	if len(vals) == 0 {
		return "", nil
	}
	return vals[0], nil
}
