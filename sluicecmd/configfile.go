package sluicecmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluicehq/sluice/internal/javaprops"
	"github.com/sluicehq/sluice/runtime/herder"
)

// maxInputBytes caps a file a command reads (a configuration, offsets, a
// patch, CA certificates): anything larger is a mistake, such as -f
// /dev/zero, not a configuration.
const maxInputBytes = 16 << 20

// readInput reads the file at path, or stdin if path is "-", whole. want
// says what the file should be, for errors, which start "read FILE:"
// (stdin for "-") and never quote the content: a directory, a file larger
// than maxInputBytes and binary data (a NUL byte) are refused.
func readInput(path string, stdin io.Reader, want string) ([]byte, error) {
	label := fileLabel(path)
	r := stdin
	if path == "-" && stdin == nil {
		return nil, fmt.Errorf("read stdin: not here, want a file: %s", want)
	}
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("read %s: %w", label, err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return nil, fmt.Errorf("read %s: a directory, want %s", label, want)
		}
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInputBytes+1))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("read %s: %w", label, err)
	}
	if len(b) > maxInputBytes {
		return nil, fmt.Errorf("read %s: larger than %d MiB, want %s", label, maxInputBytes>>20, want)
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return nil, fmt.Errorf("read %s: binary data (a NUL byte at offset %d), want %s", label, i, want)
	}
	return b, nil
}

// loadProperties reads a Java .properties file, as UTF-8, the way Java's
// Properties.load does. ${…} placeholders are kept verbatim: they belong to
// config providers, not to the file format.
// want says what the file should be, for errors.
func loadProperties(path, want string) (map[string]string, error) {
	b, err := readInput(path, nil, want)
	if err != nil {
		return nil, err
	}
	p, err := javaprops.Load(b)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return p, nil
}

// loadConnectorConfig reads a connector configuration from a .properties
// file or a JSON file, the latter either a CreateConnectorRequest
// ({"name":…,"config":{…}}) or a flat object of string values, as
// connect-standalone accepts.
func loadConnectorConfig(path string) (map[string]string, error) {
	if !strings.EqualFold(filepath.Ext(path), ".json") {
		return loadProperties(path, wantConnectorFile)
	}
	b, err := readInput(path, nil, wantConnectorFile)
	if err != nil {
		return nil, err
	}
	req, err := parseConnectorJSON(path, b)
	return req.Config, err
}

// wantConnectorFile is what a connector configuration file should be.
const wantConnectorFile = `a connector configuration: .json ({"name":…,"config":{…}} or flat) or .properties`

// loadCreateRequest reads a connector to create from a file as
// loadConnectorConfig does, or from stdin (JSON) if path is "-". A JSON
// CreateConnectorRequest keeps its initial_state (KIP-980). The name comes
// from the request's "name" or, failing that, the configuration's.
func loadCreateRequest(path string, stdin io.Reader) (herder.CreateConnectorRequest, error) {
	req, err := loadConnectorFile(path, stdin)
	if err != nil {
		return req, err
	}
	if strings.TrimSpace(req.Name) == "" {
		return req, fmt.Errorf("read %s: no connector name: set \"name\"", fileLabel(path))
	}
	return req, nil
}

// fileLabel names a -f argument in messages: "stdin" for "-".
func fileLabel(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// loadConnectorFile reads a connector configuration as loadCreateRequest
// does, but a missing name is not an error (validate needs none).
func loadConnectorFile(path string, stdin io.Reader) (herder.CreateConnectorRequest, error) {
	var req herder.CreateConnectorRequest
	var err error
	switch {
	case path == "-" || strings.EqualFold(filepath.Ext(path), ".json"):
		var b []byte
		if b, err = readInput(path, stdin, wantConnectorFile); err != nil {
			return req, err
		}
		req, err = parseConnectorJSON(fileLabel(path), b)
	default:
		req.Config, err = loadProperties(path, wantConnectorFile)
	}
	if err != nil {
		return req, err
	}
	if req.Name == "" {
		req.Name = req.Config["name"]
	}
	return req, nil
}

// parseConnectorJSON parses a connector JSON document: a
// CreateConnectorRequest or a flat object of string values. src names the
// document in errors.
func parseConnectorJSON(src string, b []byte) (herder.CreateConnectorRequest, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return herder.CreateConnectorRequest{}, fmt.Errorf("read %s: not a JSON object: %w", src, err)
	}
	if _, ok := raw["config"]; ok {
		var req struct {
			Name         string            `json:"name"`
			Config       map[string]string `json:"config"`
			InitialState *string           `json:"initial_state"`
		}
		if err := json.Unmarshal(b, &req); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && te.Field != "config" && !strings.HasPrefix(te.Field, "config.") {
				return herder.CreateConnectorRequest{}, fmt.Errorf("read %s: %q must be a string", src, te.Field)
			}
			return herder.CreateConnectorRequest{}, fmt.Errorf("read %s: \"config\" must be an object of string values: %w", src, err)
		}
		if req.Config == nil {
			req.Config = map[string]string{}
		}
		if req.Name != "" {
			if n, ok := req.Config["name"]; ok && n != req.Name {
				return herder.CreateConnectorRequest{}, fmt.Errorf("read %s: connector name %q doesn't match config name %q", src, req.Name, n)
			}
			req.Config["name"] = req.Name
		}
		out := herder.CreateConnectorRequest{Name: req.Name, Config: req.Config}
		if req.InitialState != nil {
			out.InitialState = *req.InitialState
		}
		return out, nil
	}
	cfg := map[string]string{}
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			// The value is not shown: it may be a secret.
			return herder.CreateConnectorRequest{}, fmt.Errorf("read %s: value of %q must be a string, got %s", src, k, jsonKind(v))
		}
		cfg[k] = s
	}
	return herder.CreateConnectorRequest{Name: cfg["name"], Config: cfg}, nil
}

// jsonKind names the kind of a JSON value, for messages that must not show
// the value itself.
func jsonKind(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
