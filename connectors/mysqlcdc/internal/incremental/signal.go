package incremental

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// The signal types Debezium defines (io.debezium.pipeline.signal.actions).
const (
	TypeExecuteSnapshot = "execute-snapshot"
	TypeStopSnapshot    = "stop-snapshot"
	TypePauseSnapshot   = "pause-snapshot"
	TypeResumeSnapshot  = "resume-snapshot"
	TypeLog             = "log"
	TypeWindowOpen      = "snapshot-window-open"
	TypeWindowClose     = "snapshot-window-close"
	// TypeSchemaChanges is Debezium's schema-changes signal; sluice does not
	// implement it and says so when one arrives.
	TypeSchemaChanges = "schema-changes"
)

// Signal is one signal: a row of the signal table (columns id, type, data).
type Signal struct {
	ID   string
	Type string
	// Data is the JSON document of the signal's arguments ("" for none).
	Data string
}

// SignalFromRow reads a signal from the column values of a row inserted into
// the signal table, as Debezium does: the row must have exactly three
// columns, read by position as id, type and data, each a string (string or
// []byte, as the binary log decoder gives them) or NULL.
func SignalFromRow(vals []any) (Signal, error) {
	if len(vals) != 3 {
		return Signal{}, fmt.Errorf("a signal row must have 3 columns (id, type, data), this one has %d", len(vals))
	}
	var s [3]string
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
		case string:
			s[i] = v
		case []byte:
			s[i] = string(v)
		default:
			return Signal{}, fmt.Errorf("column %d of the signal row is a %T, want a string", i+1, v)
		}
		if !utf8.ValidString(s[i]) {
			return Signal{}, fmt.Errorf("column %d of the signal row is not valid UTF-8", i+1)
		}
	}
	return Signal{ID: s[0], Type: s[1], Data: s[2]}, nil
}

// Condition is one entry of execute-snapshot's additional-conditions: rows
// of the tables whose "db.table" name the pattern matches (in full, without
// regard to case) are read only where Filter (an SQL condition) holds.
type Condition struct {
	Collection *regexp.Regexp
	Filter     string
}

// SnapshotRequest is the data of an execute-snapshot or stop-snapshot signal.
type SnapshotRequest struct {
	// Collections are the data-collections as given: "db.table" names or
	// regular expressions matched against the captured tables' names.
	Collections []string
	// Type is "incremental" (the default) or "blocking".
	Type       string
	Conditions []Condition
	// SurrogateKey is the column to chunk by instead of the primary key.
	SurrogateKey string
}

// ParseSnapshotRequest parses the data of an execute-snapshot (stop false)
// or stop-snapshot (stop true) signal as Debezium reads it:
// {"data-collections": [...], "type": "incremental", "additional-conditions":
// [{"data-collection": "...", "filter": "..."}], "surrogate-key": "..."}. An
// execute-snapshot needs at least one data collection; a stop-snapshot
// without any stops the whole snapshot. The legacy single
// "additional-condition" string, which Debezium dropped, is refused.
func ParseSnapshotRequest(data string, stop bool) (SnapshotRequest, error) {
	var raw struct {
		Collections  json.RawMessage `json:"data-collections"`
		Type         *string         `json:"type"`
		Conditions   json.RawMessage `json:"additional-conditions"`
		Legacy       json.RawMessage `json:"additional-condition"`
		SurrogateKey *string         `json:"surrogate-key"`
	}
	if strings.TrimSpace(data) == "" {
		data = "{}"
	}
	dec := json.NewDecoder(strings.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return SnapshotRequest{}, fmt.Errorf("data is not a JSON object: %w", err)
	}
	var req SnapshotRequest
	if len(raw.Collections) > 0 && !bytes.Equal(raw.Collections, []byte("null")) {
		var items []any
		if err := json.Unmarshal(raw.Collections, &items); err != nil {
			return req, fmt.Errorf("data-collections is not an array: %w", err)
		}
		for i, it := range items {
			s, ok := it.(string)
			if !ok {
				return req, fmt.Errorf("data-collections[%d] is a %s, want a string", i, jsonKind(it))
			}
			if s = strings.TrimSpace(s); s == "" {
				return req, fmt.Errorf("data-collections[%d] is empty", i)
			}
			req.Collections = append(req.Collections, s)
		}
	}
	if len(req.Collections) == 0 && !stop {
		return req, fmt.Errorf("data-collections is missing or empty")
	}
	req.Type = "incremental"
	if raw.Type != nil {
		req.Type = strings.ToLower(strings.TrimSpace(*raw.Type))
	}
	switch req.Type {
	case "incremental", "blocking":
	default:
		return req, fmt.Errorf("type %q is not a snapshot type (incremental or blocking)", *raw.Type)
	}
	if len(raw.Legacy) > 0 && !bytes.Equal(raw.Legacy, []byte("null")) {
		return req, fmt.Errorf(`"additional-condition" is no longer supported (as in Debezium 2.x and later): use "additional-conditions": [{"data-collection": "db.table", "filter": "..."}]`)
	}
	if len(raw.Conditions) > 0 && !bytes.Equal(raw.Conditions, []byte("null")) {
		var conds []struct {
			Collection *string `json:"data-collection"`
			Filter     *string `json:"filter"`
		}
		if err := json.Unmarshal(raw.Conditions, &conds); err != nil {
			return req, fmt.Errorf("additional-conditions is not an array of {\"data-collection\", \"filter\"} objects: %w", err)
		}
		for i, c := range conds {
			if c.Collection == nil || strings.TrimSpace(*c.Collection) == "" {
				return req, fmt.Errorf("additional-conditions[%d] has no data-collection", i)
			}
			if c.Filter == nil || strings.TrimSpace(*c.Filter) == "" {
				return req, fmt.Errorf("additional-conditions[%d] has no filter", i)
			}
			re, err := fullMatch(*c.Collection)
			if err != nil {
				return req, fmt.Errorf("additional-conditions[%d].data-collection %q is not a regular expression: %w", i, *c.Collection, err)
			}
			req.Conditions = append(req.Conditions, Condition{Collection: re, Filter: *c.Filter})
		}
	}
	if raw.SurrogateKey != nil {
		req.SurrogateKey = strings.TrimSpace(*raw.SurrogateKey)
	}
	return req, nil
}

// fullMatch compiles a pattern that must match a whole name, without regard
// to case (Java's Pattern.CASE_INSENSITIVE with matches()).
func fullMatch(pattern string) (*regexp.Regexp, error) {
	return regexp.Compile(`(?i)^(?:` + pattern + `)$`)
}

// fullMatchCase compiles a pattern that must match a whole name, case
// sensitively (Java's Pattern.compile(p).matcher(name).matches()).
func fullMatchCase(pattern string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + pattern + `)$`)
}

// matcher matches a table name against a data collection of a signal: a
// regular expression matching the whole name, or the name itself.
type matcher struct {
	literal string
	re      *regexp.Regexp
}

func newMatcher(s string) matcher {
	re, _ := fullMatchCase(s) // nil when s is no regular expression: then only the literal matches
	return matcher{literal: s, re: re}
}

func (m matcher) match(name string) bool {
	return name == m.literal || (m.re != nil && m.re.MatchString(name))
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// logMessage returns the message of a log signal's data.
func logMessage(data string) (string, error) {
	var d struct {
		Message *string `json:"message"`
	}
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return "", fmt.Errorf("data is not a JSON object: %w", err)
	}
	if d.Message == nil || *d.Message == "" {
		return "", fmt.Errorf("the message field is missing from data")
	}
	msg := *d.Message
	if len(msg) > maxLogMessage {
		// A signal row can carry megabytes: one log line should not.
		cut := maxLogMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = fmt.Sprintf("%s... (%d bytes in all)", msg[:cut], len(msg))
	}
	return msg, nil
}

// maxLogMessage is the most of a log signal's message that is logged.
const maxLogMessage = 4096
