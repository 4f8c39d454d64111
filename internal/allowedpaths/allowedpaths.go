// Package allowedpaths restricts file access to a list of directories, as
// Kafka's allowed.paths (KIP-993) does for the file and directory config
// providers; sluice uses it for those providers and for the file
// connectors (file.connector.allowed.paths).
package allowedpaths

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Paths is a parsed list of allowed paths. The zero value allows
// everything.
type Paths struct {
	name  string   // the setting, for messages
	paths []string // cleaned, absolute, as configured
	real  []string // the same with symbolic links resolved
}

// Parse reads list, a comma-separated list of absolute paths that exist,
// as Kafka requires; blank entries are skipped, and a list without entries
// allows everything. name is the setting, named in Check's errors. An error
// says which entry is wrong and why.
func Parse(name, list string) (Paths, error) {
	a := Paths{name: name}
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		clean := filepath.Clean(p)
		if !filepath.IsAbs(clean) {
			return Paths{}, fmt.Errorf("path %s is not absolute", p)
		}
		real, err := filepath.EvalSymlinks(clean)
		if err != nil {
			return Paths{}, fmt.Errorf("path %s does not exist or cannot be read: %w", p, err)
		}
		a.paths = append(a.paths, clean)
		a.real = append(a.real, real)
	}
	return a, nil
}

// Restricted reports whether a limits anything.
func (a Paths) Restricted() bool { return a.paths != nil }

// String lists the allowed paths as configured.
func (a Paths) String() string { return strings.Join(a.paths, ",") }

// Check returns an error unless path (made absolute against the working
// directory) lies in or is one of the allowed paths, both as written (after
// removing . and ..) and with symbolic links resolved. For a path that does
// not exist yet, its nearest existing ancestor is resolved, so that a link
// to elsewhere cannot be used to create a file outside.
func (a Paths) Check(path string) error {
	if a.paths == nil {
		return nil
	}
	clean, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("path %s: %w", path, err)
	}
	if !within(clean, a.paths) {
		return fmt.Errorf("path %s is not in %s %v", path, a.name, a.paths)
	}
	real, err := resolve(clean)
	if err != nil {
		return fmt.Errorf("path %s: %w", path, err)
	}
	if !within(real, a.real) {
		return fmt.Errorf("path %s leads to %s, which is not in %s %v", path, real, a.name, a.paths)
	}
	return nil
}

// resolve returns path with symbolic links resolved; for a path that does
// not exist, its nearest existing ancestor resolved, joined with the rest.
func resolve(path string) (string, error) {
	rest := ""
	for {
		real, err := filepath.EvalSymlinks(path)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if _, err := os.Lstat(path); err == nil {
			// It exists, yet resolving it fails: a link (or a chain of
			// them) to something missing, which creating the file would
			// create wherever the link leads.
			return "", fmt.Errorf("%s is a symbolic link to a file that does not exist", path)
		}
		parent := filepath.Dir(path)
		if parent == path {
			return filepath.Join(path, rest), nil
		}
		rest = filepath.Join(filepath.Base(path), rest)
		path = parent
	}
}

// within reports whether path is one of dirs or below one of them, comparing
// whole path elements (/a/bc is not below /a/b).
func within(path string, dirs []string) bool {
	for _, d := range dirs {
		if path == d || strings.HasPrefix(path, strings.TrimSuffix(d, string(filepath.Separator))+string(filepath.Separator)) {
			return true
		}
	}
	return false
}
