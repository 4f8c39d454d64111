package runtime

import (
	"errors"
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/redact"
	"github.com/sluicehq/sluice/runtime/herder"
)

// FileConnectorAllowedPaths is the worker key restricting the file
// connectors to directories (sluice only).
const FileConnectorAllowedPaths = "file.connector.allowed.paths"

// checkFiles applies file.connector.allowed.paths to a resolved
// configuration of conn: an error naming each key whose file lies outside
// the allowed paths. Connectors that name no files, and an empty file
// (stdin, stdout), pass.
func (w *Worker) checkFiles(conn connectors.Connector, props map[string]string) error {
	fu, ok := conn.(connectors.FileUser)
	if !ok || !w.cfg.FileAllowedPaths.Restricted() {
		return nil
	}
	var errs []error
	for _, k := range fu.FileKeys() {
		if err := w.checkFile(k, props[k]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// checkFile checks one file key's value against file.connector.allowed.paths.
func (w *Worker) checkFile(key, path string) error {
	if strings.TrimSpace(path) == "" {
		return nil
	}
	if err := w.cfg.FileAllowedPaths.Check(path); err != nil {
		return &config.ValueError{Name: key, Value: path, Reason: err.Error()}
	}
	return nil
}

// checkFilesValid adds the errors of checkFiles to a validation's answer, on
// the keys they name, with values from providers hidden. It returns how
// many it added.
func (w *Worker) checkFilesValid(raw map[string]string, infos *herder.ConfigInfos) int {
	if !w.cfg.FileAllowedPaths.Restricted() {
		return 0
	}
	conn, _, err := w.plugins.NewConnector(infos.Name)
	if err != nil {
		return 0
	}
	fu, ok := conn.(connectors.FileUser)
	if !ok {
		return 0
	}
	n := 0
	for _, k := range fu.FileKeys() {
		resolved, values, err := w.cfg.Providers.Resolve(map[string]string{k: raw[k]})
		if err != nil {
			continue // reported on the key already
		}
		err = w.checkFile(k, resolved[k])
		if err == nil {
			continue
		}
		secrets := redact.NewSet()
		secrets.Put("", values...)
		msg := secrets.String(err.Error())
		for _, c := range infos.Configs {
			if c.Value != nil && c.Value.Name == k {
				c.Value.Errors = append(c.Value.Errors, msg)
				n++
			}
		}
	}
	return n
}
