package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sluicehq/sluice/config"
)

// allowedPathsParam is the parameter of the file and directory providers
// that limits what they may read (KIP-993).
const allowedPathsParam = "allowed.paths"

// allowedPaths is a parsed allowed.paths parameter. The zero value allows
// everything.
type allowedPaths struct {
	paths []string // cleaned, absolute, as configured
	real  []string // the same with symbolic links resolved
}

// parseAllowedPaths reads allowed.paths: a comma-separated list of absolute
// paths that exist, as Kafka requires. Blank entries are skipped.
func parseAllowedPaths(params map[string]string, param func(string) string) (allowedPaths, error) {
	var a allowedPaths
	for _, p := range strings.Split(params[allowedPathsParam], ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		clean := filepath.Clean(p)
		if !filepath.IsAbs(clean) {
			return a, &config.ValueError{Name: param(allowedPathsParam), Value: params[allowedPathsParam],
				Reason: fmt.Sprintf("path %s is not absolute", p)}
		}
		real, err := filepath.EvalSymlinks(clean)
		if err != nil {
			return a, &config.ValueError{Name: param(allowedPathsParam), Value: params[allowedPathsParam],
				Reason: fmt.Sprintf("path %s does not exist or cannot be read: %v", p, err)}
		}
		a.paths = append(a.paths, clean)
		a.real = append(a.real, real)
	}
	return a, nil
}

// check returns an error unless path lies in (or is) one of the allowed
// paths, both as written (after removing . and ..) and with symbolic links
// resolved. A path that does not exist passes the second check; reading it
// then fails on its own.
func (a allowedPaths) check(path string) error {
	if a.paths == nil {
		return nil
	}
	clean := filepath.Clean(path)
	if !within(clean, a.paths) {
		return fmt.Errorf("path %s is not in %s %v", path, allowedPathsParam, a.paths)
	}
	real, err := filepath.EvalSymlinks(clean)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("path %s: %w", path, err)
	}
	if !within(real, a.real) {
		return fmt.Errorf("path %s leads to %s, which is not in %s %v", path, real, allowedPathsParam, a.paths)
	}
	return nil
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
