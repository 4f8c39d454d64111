package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
)

// TestReadBodyGrowsWithTheData: the body's buffer starts at the announced
// length or bodyChunk, whichever is smaller, and grows with the bytes that
// arrive, never past the announced length; the bytes read are the body's.
func TestReadBodyGrowsWithTheData(t *testing.T) {
	for _, size := range []int{0, 1, 1000, bodyChunk - 1, bodyChunk, bodyChunk + 1, 1<<20 + 3} {
		for _, known := range []bool{true, false} {
			t.Run(fmt.Sprintf("%d bytes, length known %v", size, known), func(t *testing.T) {
				data := bytes.Repeat([]byte("0123456789"), size/10+1)[:size]
				announced := int64(-1)
				if known {
					announced = int64(size)
				}
				src := &capsReader{r: bytes.NewReader(data), chunk: 3000}
				got, err := readBody(src, announced, 16<<20)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("read %d bytes, not the body's %d", len(got), size)
				}
				if len(src.room) > 0 && src.room[0] > bodyChunk {
					t.Errorf("first read into room for %d bytes, want at most %d", src.room[0], bodyChunk)
				}
				if known && cap(got) > max(size, 1) {
					t.Errorf("buffer of %d bytes for a body of %d announced", cap(got), size)
				}
				if c := cap(got); c > max(2*size, bodyChunk)+512 {
					t.Errorf("buffer of %d bytes for a body of %d", c, size)
				}
			})
		}
	}

	// A body that ends before its announced length is an error, and one
	// longer than the limit is the reader's error (http.MaxBytesReader's).
	if _, err := readBody(strings.NewReader("abc"), 10, 100); err != io.ErrUnexpectedEOF {
		t.Errorf("short body: %v, want io.ErrUnexpectedEOF", err)
	}
	rec := httptest.NewRecorder()
	if _, err := readBody(http.MaxBytesReader(rec, io.NopCloser(strings.NewReader(strings.Repeat("x", 101))), 100), -1, 100); err == nil ||
		!strings.Contains(err.Error(), "too large") {
		t.Errorf("body over the limit: %v, want http.MaxBytesError", err)
	}
}

// capsReader reads r at most chunk bytes at a time and records how much
// room each read was given.
type capsReader struct {
	r     io.Reader
	chunk int
	room  []int
}

func (c *capsReader) Read(p []byte) (int, error) {
	c.room = append(c.room, len(p))
	return c.r.Read(p[:min(len(p), c.chunk)])
}

// TestSlowClientsCostLittleMemory: clients that announce a 16 MiB body and
// send one byte make the server hold what they sent (and a 64 KiB buffer),
// not what they announced.
func TestSlowClientsCostLittleMemory(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{Herder: nopHerder{}}))
	defer srv.Close()
	const clients = 8
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for range clients {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := fmt.Fprintf(c, "PUT /connectors/c/config HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n{", maxBody); err != nil {
			t.Fatal(err)
		}
	}
	// Every handler is reading its body.
	deadline := time.Now().Add(10 * time.Second)
	for readingBodies() < clients {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d requests are reading their bodies", readingBodies(), clients)
		}
		time.Sleep(5 * time.Millisecond)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if grown > clients<<20 {
		t.Fatalf("the heap grew by %d MiB for %d clients that announced %d MiB each and sent a byte", grown>>20, clients, maxBody>>20)
	}
	t.Logf("heap grew by %d KiB for %d slow clients", grown>>10, clients)
}

// readingBodies counts the goroutines reading a request body in readBody.
func readingBodies() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "api.readBody(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// TestBodyReadTimeout: a body that stops coming for BodyReadTimeout is a
// 408 in Kafka Connect's error shape; one that keeps coming, however
// slowly, is read whole; and once the body is read, the request may take
// longer than the timeout (here it is forwarded to a worker slow to answer).
func TestBodyReadTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	leader := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-time.After(3 * timeout): // a leader slow to answer
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"name":"c","config":{},"tasks":[],"type":"sink"}`)
	}))
	defer leader.Close()
	srv := httptest.NewServer(NewHandler(Options{Herder: redirectingHerder{url: leader.URL}, BodyReadTimeout: timeout}))
	defer srv.Close()

	t.Run("stalled", func(t *testing.T) {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		if _, err := fmt.Fprint(c, "PUT /connectors/c/config HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("no answer to a stalled body: %v", err)
		}
		defer resp.Body.Close()
		var e herder.ErrorMessage
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != http.StatusRequestTimeout || e.ErrorCode != 408 ||
			e.Message != "Timed out reading the request body: no byte came for 300ms" {
			t.Fatalf("answer %d %+v (%v), want a 408", resp.StatusCode, e, err)
		}
		if took := time.Since(start); took < timeout {
			t.Fatalf("answered after %v, before the timeout", took)
		}
	})

	t.Run("slow but steady, then a slow leader", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			body := `{"connector.class": "FileStreamSink", "topics": "t"}`
			for i := 0; i < len(body); i += 10 {
				time.Sleep(timeout / 3) // a slow client
				if _, err := pw.Write([]byte(body[i:min(i+10, len(body))])); err != nil {
					return
				}
			}
			pw.Close()
		}()
		req, err := http.NewRequest("PUT", srv.URL+"/connectors/c/config", pr)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("answer %d %s, want the leader's 200", resp.StatusCode, b)
		}
	})
}

// redirectingHerder is a nopHerder that sends configuration changes to
// the leader at url.
type redirectingHerder struct {
	nopHerder
	url string
}

func (h redirectingHerder) PutConnectorConfig(context.Context, string, map[string]string, bool, herder.TargetState) (herder.ConnectorInfo, bool, error) {
	return herder.ConnectorInfo{}, false, &herder.RedirectError{URL: h.url, Leader: true, Message: "not the leader"}
}

// TestBodilessRoutesLeaveTheBody: a route that takes no body answers
// without reading one: at once when it is announced larger than the server
// would read after the answer (256 KiB), else once it came or stopped
// coming for BodyReadTimeout, never waiting for a stalled client for ever.
func TestBodilessRoutesLeaveTheBody(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{Herder: nopHerder{}, BodyReadTimeout: 200 * time.Millisecond}))
	defer srv.Close()
	for _, rt := range routes {
		if rt.body || rt.admin {
			continue
		}
		path := strings.NewReplacer("{connector}", "c", "{task}", "0", "{plugin}", "p", "{pluginType}", "p").Replace(rt.path)
		for _, announced := range []int{1 << 30, 100} {
			t.Run(fmt.Sprintf("%s %s, %d bytes", rt.method, rt.path, announced), func(t *testing.T) {
				c, err := net.Dial("tcp", srv.Listener.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if _, err := fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n{", rt.method, path, announced); err != nil {
					t.Fatal(err)
				}
				_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					t.Fatalf("no answer while the body is still coming: %v", err)
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusRequestEntityTooLarge || resp.StatusCode == http.StatusRequestTimeout {
					t.Fatalf("answer %d: the body was read", resp.StatusCode)
				}
			})
		}
	}
}

// TestConfigBodyTakesEscapes: a configuration within
// connector.config.max.bytes reaches the herder even when JSON escapes
// every byte as \uXXXX (six bytes each); a body past six times the limit
// and 64 KiB is a 413 before it is read.
func TestConfigBodyTakesEscapes(t *testing.T) {
	const maxConfig = 64 << 10
	h := NewHandler(Options{Herder: nopHerder{}, MaxConfigBytes: maxConfig})
	value := strings.Repeat(`\u003c`, maxConfig-1000)
	body := `{"connector.class":"FileStreamSink","v":"` + value + `"}`
	if int64(len(body)) <= 2*maxConfig+64<<10 {
		t.Fatalf("the body (%d bytes) is too small to test the limit", len(body))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("PUT", "/connector-plugins/FileStreamSink/config/validate", strings.NewReader(body)))
	if rec.Code != http.StatusTeapot {
		t.Fatalf("escaped configuration: %d %.300s, want the herder's 418", rec.Code, rec.Body)
	}
	over := strings.Repeat("x", int(ConfigBodyLimit(maxConfig))+1)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("PUT", "/connector-plugins/FileStreamSink/config/validate", strings.NewReader(over)))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("body over the limit: %d %.300s, want 413", rec.Code, rec.Body)
	}
}
