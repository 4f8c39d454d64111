package sluicecmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// devRegistry is sluice dev's embedded Schema Registry: franz-go's srfake,
// which speaks the Confluent REST API in memory, made durable by a journal
// of registrations replayed at start, so that records kept by the embedded
// broker still find their schemas after a restart.
type devRegistry struct {
	reg     *srfake.Registry
	srv     *http.Server
	ln      net.Listener
	journal string
	mu      sync.Mutex
}

type journalEntry struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
	Schema  string `json:"schema"`
}

// startDevRegistry listens on addr (or any free port when addr is busy) and
// replays journal.
func startDevRegistry(addr, journal string) (*devRegistry, error) {
	d := &devRegistry{reg: srfake.NewRegistry(), journal: journal}
	if err := d.replay(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start embedded schema registry: %w", err)
		}
	}
	d.ln = ln
	d.srv = &http.Server{Handler: d.record(d.reg.Handler())}
	go func() { _ = d.srv.Serve(ln) }()
	return d, nil
}

// URL is the registry's address.
func (d *devRegistry) URL() string { return "http://" + d.ln.Addr().String() }

// Close stops the registry.
func (d *devRegistry) Close() { _ = d.srv.Close(); d.reg.Close() }

func (d *devRegistry) replay() error {
	data, err := os.ReadFile(d.journal)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e journalEntry
		if err := json.Unmarshal(line, &e); err != nil {
			return fmt.Errorf("%s line %d: %w", d.journal, i+1, err)
		}
		d.reg.SeedSchema(e.Subject, e.Version, e.ID, sr.Schema{Schema: e.Schema, Type: sr.TypeAvro})
	}
	return nil
}

// record journals every successful registration (POST
// /subjects/{subject}/versions) after srfake has answered it.
func (d *devRegistry) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		subject, ok := strings.CutPrefix(r.URL.Path, "/subjects/")
		subject, isRegister := strings.CutSuffix(subject, "/versions")
		if !ok || !isRegister || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &capture{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status != 0 && rec.status != http.StatusOK {
			return
		}
		var req struct {
			Schema string `json:"schema"`
		}
		var resp struct {
			ID int `json:"id"`
		}
		if json.Unmarshal(body, &req) != nil || json.Unmarshal(rec.body.Bytes(), &resp) != nil {
			return
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		ss, found := d.latestWithID(subject, resp.ID)
		if !found {
			return
		}
		line, _ := json.Marshal(journalEntry{Subject: subject, Version: ss.Version, ID: resp.ID, Schema: req.Schema})
		f, err := os.OpenFile(d.journal, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return
		}
		defer f.Close()
		_, _ = f.Write(append(line, '\n'))
	})
}

// latestWithID finds the version of subject holding schema id; a schema
// registered again keeps its first version, which is already journaled.
func (d *devRegistry) latestWithID(subject string, id int) (sr.SubjectSchema, bool) {
	for v := 1; ; v++ {
		ss, ok := d.reg.GetSchema(subject, v)
		if !ok {
			return sr.SubjectSchema{}, false
		}
		if ss.ID == id {
			if d.journaled(subject, v) {
				return sr.SubjectSchema{}, false
			}
			return ss, true
		}
	}
}

func (d *devRegistry) journaled(subject string, version int) bool {
	data, err := os.ReadFile(d.journal)
	if err != nil {
		return false
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		var e journalEntry
		if json.Unmarshal(line, &e) == nil && e.Subject == subject && e.Version == version {
			return true
		}
	}
	return false
}

type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *capture) WriteHeader(status int) { c.status = status; c.ResponseWriter.WriteHeader(status) }
func (c *capture) Write(b []byte) (int, error) {
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}
