package provider

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluicehq/sluice/internal/allowedpaths"
)

// dirProvider is DirectoryConfigProvider: ${dir:/path/dir:name} is the
// contents of the regular file name in that directory, as Kubernetes mounts
// secrets.
type dirProvider struct {
	allowed allowedpaths.Paths
}

func newDirProvider(params map[string]string, param func(string) string) (Provider, error) {
	a, err := parseAllowedPaths(params, param)
	if err != nil {
		return nil, err
	}
	return &dirProvider{allowed: a}, nil
}

// Get returns the contents of the regular files (symbolic links followed)
// named by keys in the directory path. A key that is not a plain file name
// is not found.
func (p *dirProvider) Get(path string, keys []string) (map[string]string, error) {
	if path == "" {
		return nil, errors.New("no directory given (write ${alias:/path/to/dir:filename})")
	}
	if err := p.allowed.Check(path); err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("could not read directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", path)
	}
	data := make(map[string]string, len(keys))
	for _, k := range keys {
		if !plainName(k) {
			continue
		}
		file := filepath.Join(path, k)
		if p.allowed.Check(file) != nil {
			continue // a link out of the allowed paths; missing says so
		}
		fi, err := os.Stat(file)
		if errors.Is(err, fs.ErrNotExist) || err == nil && !fi.Mode().IsRegular() {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("could not read file for key %q: %w", k, err)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("could not read file for key %q: %w", k, err)
		}
		data[k] = string(b)
	}
	return data, nil
}

func (p *dirProvider) missing(path, key string) error {
	if !plainName(key) {
		return notFound(fmt.Sprintf("%q is not a file name", key))
	}
	file := filepath.Join(path, key)
	if err := p.allowed.Check(file); err != nil {
		return notFound(err.Error())
	}
	if fi, err := os.Stat(file); err == nil && !fi.Mode().IsRegular() {
		return notFound(fmt.Sprintf("%s is not a regular file", file))
	}
	return notFound(fmt.Sprintf("file %q not found in directory %s", key, path))
}

// plainName reports whether name names a file directly inside a directory.
func plainName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsRune(name, '/') &&
		!strings.ContainsRune(name, filepath.Separator)
}
