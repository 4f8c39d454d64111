package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/sluicehq/sluice/runtime/herder"
)

// FileConfigs is a ConfigStore kept in a JSON file, so that connectors a
// standalone worker created through REST survive a restart. Every change
// rewrites the whole file atomically (temporary file, fsync, rename, fsync
// of the directory) before the method returns: a change acknowledged to a
// REST client is on disk. If the write fails, the change is not made.
//
// Configurations are stored exactly as submitted; ${provider:path:key}
// placeholders stay unresolved. The file is JSON with sorted keys:
//
//	{"version":1,"connectors":{"<name>":{"config":{…},"target_state":"STARTED","tasks":[{…}]}}}
//
// One FileConfigs owns its file: two stores, or two processes, writing the
// same path overwrite each other's changes.
type FileConfigs struct {
	path string
	mem  *MemoryConfigs
}

var _ ConfigStore = (*FileConfigs)(nil)

type configsFile struct {
	Version    int                        `json:"version"`
	Connectors map[string]connectorRecord `json:"connectors"`
}

type connectorRecord struct {
	Config      map[string]string   `json:"config"`
	TargetState herder.TargetState  `json:"target_state"`
	Tasks       []map[string]string `json:"tasks"`
}

// configsFileVersion is the format version FileConfigs reads and writes.
const configsFileVersion = 1

// OpenFileConfigs loads the connector configurations in path; a missing
// file is an empty store. A file that is not valid JSON of the expected
// shape, or has another version, is an error naming path.
func OpenFileConfigs(path string) (*FileConfigs, error) {
	f := &FileConfigs{path: path, mem: NewMemoryConfigs()}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read connector configs file %s: %w", path, err)
	}
	data, err := decodeConfigsFile(b)
	if err != nil {
		return nil, fmt.Errorf("read connector configs file %s: %w", path, err)
	}
	f.mem.data = data
	return f, nil
}

func decodeConfigsFile(b []byte) (map[string]ConnectorState, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("not a connector configs file: the file is empty")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	// A misspelt field would otherwise be dropped silently, e.g. a target
	// state lost and the connector started.
	d.DisallowUnknownFields()
	var doc configsFile
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a connector configs file: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("not a connector configs file: data after the JSON document")
	}
	if doc.Version != configsFileVersion {
		return nil, fmt.Errorf("unknown version %d (this sluice reads version %d)", doc.Version, configsFileVersion)
	}
	data := make(map[string]ConnectorState, len(doc.Connectors))
	for name, r := range doc.Connectors {
		if name == "" {
			return nil, errors.New("a connector has an empty name")
		}
		switch r.TargetState {
		case herder.TargetStarted, herder.TargetPaused, herder.TargetStopped:
		case "":
			// As in Kafka Connect's config topic: no target state means STARTED.
			r.TargetState = herder.TargetStarted
		default:
			return nil, fmt.Errorf("connector %s: unknown target state %q", name, r.TargetState)
		}
		s := ConnectorState{Config: r.Config, Target: r.TargetState}
		if len(r.Tasks) > 0 {
			s.TaskConfigs = r.Tasks
		}
		data[name] = s
	}
	return data, nil
}

// write is the persist step of every change: the whole state, atomically.
func (f *FileConfigs) write(data map[string]ConnectorState) error {
	doc := configsFile{Version: configsFileVersion, Connectors: make(map[string]connectorRecord, len(data))}
	for name, s := range data {
		tasks := s.TaskConfigs
		if tasks == nil {
			tasks = []map[string]string{}
		}
		doc.Connectors[name] = connectorRecord{Config: s.Config, TargetState: s.Target, Tasks: tasks}
	}
	if err := writeJSONFileAtomic(f.path, doc); err != nil {
		return fmt.Errorf("write connector configs file %s: %w", f.path, err)
	}
	return nil
}

// Connectors implements ConfigStore.
func (f *FileConfigs) Connectors() []string { return f.mem.Connectors() }

// Get implements ConfigStore.
func (f *FileConfigs) Get(name string) (ConnectorState, bool) { return f.mem.Get(name) }

// PutConfig implements ConfigStore; the file is rewritten before it returns.
func (f *FileConfigs) PutConfig(name string, cfg map[string]string, target herder.TargetState) error {
	return f.mem.mutate(func(d map[string]ConnectorState) { putConfig(d, name, cfg, target) }, f.write)
}

// PutTargetState implements ConfigStore; the file is rewritten before it
// returns.
func (f *FileConfigs) PutTargetState(name string, target herder.TargetState) error {
	return f.mem.mutate(func(d map[string]ConnectorState) { putTargetState(d, name, target) }, f.write)
}

// PutTaskConfigs implements ConfigStore; the file is rewritten before it
// returns.
func (f *FileConfigs) PutTaskConfigs(name string, tasks []map[string]string) error {
	return f.mem.mutate(func(d map[string]ConnectorState) { putTaskConfigs(d, name, tasks) }, f.write)
}

// Delete implements ConfigStore; the file is rewritten before it returns.
func (f *FileConfigs) Delete(name string) error {
	return f.mem.mutate(func(d map[string]ConnectorState) { delete(d, name) }, f.write)
}
