// Package redact keeps the secret values a worker knows (values that came
// from a config provider, values of secret keys) and replaces them with
// "[hidden]" in any text before it reaches a log line, a status trace or an
// error answer: a connector's error message that quotes its password, or a
// validation error that echoes a value read from a file, is scrubbed.
package redact

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sluicehq/sluice/config"
)

// MinLen is the length below which a value is not scrubbed from text: a
// provider value such as "1" or "on" would otherwise blot out every digit or
// word of every log line. Shorter secrets are still hidden wherever they
// appear as the value of their key.
const MinLen = 4

// Set is a set of secret values, grouped by owner (a connector, a task, the
// worker) so that an owner's new configuration replaces its old values. The
// zero value is empty and ready; a nil *Set scrubs nothing. A Set is safe
// for concurrent use.
type Set struct {
	mu     sync.RWMutex
	owners map[string][]string
	r      *strings.Replacer // nil: nothing to scrub
}

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{} }

// Put makes values (those of at least MinLen bytes) the secrets of owner,
// replacing the ones it had.
func (s *Set) Put(owner string, values ...string) {
	if s == nil {
		return
	}
	var keep []string
	for _, v := range values {
		if len(v) >= MinLen && v != config.Hidden {
			keep = append(keep, v)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(keep) == 0 && s.owners[owner] == nil {
		return
	}
	if s.owners == nil {
		s.owners = map[string][]string{}
	}
	if len(keep) == 0 {
		delete(s.owners, owner)
	} else {
		s.owners[owner] = keep
	}
	s.rebuild()
}

// Add adds values to owner's secrets.
func (s *Set) Add(owner string, values ...string) {
	if s == nil {
		return
	}
	s.mu.RLock()
	old := slices.Clone(s.owners[owner])
	s.mu.RUnlock()
	s.Put(owner, append(old, values...)...)
}

// rebuild makes the replacer from every owner's values, longest first so
// that a secret holding another is hidden whole. s.mu is held.
func (s *Set) rebuild() {
	seen := map[string]bool{}
	var all []string
	for _, vs := range s.owners {
		for _, v := range vs {
			for _, f := range forms(v) {
				if !seen[f] {
					seen[f] = true
					all = append(all, f)
				}
			}
		}
	}
	if len(all) == 0 {
		s.r = nil
		return
	}
	slices.SortFunc(all, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	pairs := make([]string, 0, 2*len(all))
	for _, v := range all {
		pairs = append(pairs, v, config.Hidden)
	}
	s.r = strings.NewReplacer(pairs...)
}

// forms are the ways v shows in text: as it is, and escaped as an error
// message quotes it (%q) or a JSON document holds it or such a message
// (with and without HTML escaping); a value with a quote, a backslash or a control character
// in it would otherwise show through its escaped copy.
func forms(v string) []string {
	out := []string{v}
	add := func(f string) {
		if f != v && len(f) >= MinLen && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	q := strconv.Quote(v)
	q = q[1 : len(q)-1]
	add(q)
	for _, x := range []string{v, q} { // a quoting error inside a JSON answer too
		for _, html := range []bool{false, true} {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(html)
			if enc.Encode(x) == nil {
				j := strings.TrimSuffix(b.String(), "\n")
				add(j[1 : len(j)-1])
			}
		}
	}
	return out
}

// empty reports whether s has no secret.
func (s *Set) empty() bool {
	if s == nil {
		return true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.r == nil
}

// String returns text with every secret of s replaced by "[hidden]".
func (s *Set) String(text string) string {
	if s == nil || text == "" {
		return text
	}
	s.mu.RLock()
	r := s.r
	s.mu.RUnlock()
	if r == nil {
		return text
	}
	return r.Replace(text)
}

// Error returns err unchanged when its message holds no secret of s, else an
// error with the scrubbed message that still unwraps to err, so errors.Is
// and errors.As keep working (a caller that digs out an inner error and
// prints it must scrub that too).
func (s *Set) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := s.String(msg); clean != msg {
		return &scrubbed{msg: clean, err: err}
	}
	return err
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }
