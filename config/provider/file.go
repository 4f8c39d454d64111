package provider

import (
	"errors"
	"fmt"
	"os"

	"github.com/sluicehq/sluice/internal/allowedpaths"
	"github.com/sluicehq/sluice/internal/javaprops"
)

// fileProvider is FileConfigProvider: ${file:/path/x.properties:key} is the
// value of key in that Java properties file.
type fileProvider struct {
	allowed allowedpaths.Paths
}

func newFileProvider(params map[string]string, param func(string) string) (Provider, error) {
	a, err := parseAllowedPaths(params, param)
	if err != nil {
		return nil, err
	}
	return &fileProvider{allowed: a}, nil
}

// Get reads the properties file at path, as UTF-8 and without expanding
// ${...} in its values, and returns the keys it has.
func (p *fileProvider) Get(path string, keys []string) (map[string]string, error) {
	if path == "" {
		return nil, errors.New("no properties file given (write ${alias:/path/to/file.properties:key})")
	}
	if err := p.allowed.Check(path); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("could not read properties file: %w", err)
	}
	props, err := javaprops.Load(b)
	if err != nil {
		return nil, fmt.Errorf("could not parse properties file %s: %w", path, err)
	}
	data := make(map[string]string, len(keys))
	for _, k := range keys {
		if v, ok := props[k]; ok {
			data[k] = v
		}
	}
	return data, nil
}

func (p *fileProvider) missing(path, key string) error {
	return notFound(fmt.Sprintf("key %q not found in %s", key, path))
}
