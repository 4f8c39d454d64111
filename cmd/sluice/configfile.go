package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/magiconair/properties"
)

// loadProperties reads a Java .properties file. ${…} placeholders are kept
// verbatim: they belong to config providers, not to the file format.
func loadProperties(path string) (map[string]string, error) {
	l := &properties.Loader{Encoding: properties.UTF8, DisableExpansion: true}
	p, err := l.LoadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return p.Map(), nil
}

// loadConnectorConfig reads a connector configuration from a .properties
// file or a JSON file, the latter either a CreateConnectorRequest
// ({"name":…,"config":{…}}) or a flat object of string values, as
// connect-standalone accepts.
func loadConnectorConfig(path string) (map[string]string, error) {
	if !strings.EqualFold(filepath.Ext(path), ".json") {
		return loadProperties(path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("read %s: not a JSON object: %w", path, err)
	}
	if _, ok := raw["config"]; ok {
		var req struct {
			Name   string            `json:"name"`
			Config map[string]string `json:"config"`
		}
		if err := json.Unmarshal(b, &req); err != nil {
			return nil, fmt.Errorf("read %s: \"config\" must be an object of string values: %w", path, err)
		}
		if req.Config == nil {
			req.Config = map[string]string{}
		}
		if req.Name != "" {
			if n, ok := req.Config["name"]; ok && n != req.Name {
				return nil, fmt.Errorf("read %s: connector name %q doesn't match config name %q", path, req.Name, n)
			}
			req.Config["name"] = req.Name
		}
		return req.Config, nil
	}
	cfg := map[string]string{}
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("read %s: value of %q must be a string, got %s", path, k, v)
		}
		cfg[k] = s
	}
	return cfg, nil
}
