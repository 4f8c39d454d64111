package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"

	"github.com/sluicehq/sluice/runtime/herder"
)

// FileConfigs is a ConfigStore kept in a JSON file, so that connectors a
// standalone worker created through REST survive a restart. A change is on
// disk (fsynced) before the method returns: a change acknowledged to a REST
// client is durable. If the write fails, the change is not made.
//
// Configurations are stored exactly as submitted; ${provider:path:key}
// placeholders stay unresolved. The file starts with the state of every
// connector, JSON with sorted keys:
//
//	{"version":1,"connectors":{"<name>":{"config":{…},"target_state":"STARTED","tasks":[{…}]}}}
//
// and a change appends one line holding what changed of one connector, so
// that its cost is the size of the change, not of every connector:
//
//	{"name":"<name>","config":{…},"target_state":"STARTED"}
//	{"name":"<name>","target_state":"PAUSED"}
//	{"name":"<name>","tasks":[{…}]}
//	{"name":"<name>","deleted":true}
//
// Once the appended lines outweigh the state at the top (and 1 MiB), the
// next change rewrites the file as that state alone, atomically (temporary
// file, fsync, rename, fsync of the directory), and so does opening a file
// with appended lines. A crash leaves the old state or the new one: a line
// whose append was cut short by a crash is the last line, its change was
// never acknowledged, and reading ignores it. Files of earlier versions,
// the state alone, are read as they are.
//
// One FileConfigs owns its file: two stores, or two processes, writing the
// same path overwrite each other's changes.
type FileConfigs struct {
	path string
	mem  *MemoryConfigs

	// Guarded by mem's lock: persist runs under it.
	size     int64 // of the file, as this store wrote it
	snapshot int64 // of the state at its top
	torn     int   // bytes of a cut-short last line dropped by OpenFileConfigs
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

// changeRecord is an appended line: what changed of a connector's state,
// or its deletion. A field left out did not change.
type changeRecord struct {
	Name        string               `json:"name"`
	Config      *map[string]string   `json:"config,omitempty"`
	TargetState herder.TargetState   `json:"target_state,omitempty"`
	Tasks       *[]map[string]string `json:"tasks,omitempty"`
	Deleted     bool                 `json:"deleted,omitempty"`
}

// change is what a change to the store changed: the fields of a
// changeRecord it fills in.
type change int

const (
	configChanged change = iota // the configuration, and the target state
	targetChanged
	tasksChanged
	deleted
)

// configsFileVersion is the format version FileConfigs reads and writes.
const configsFileVersion = 1

// minJournal is how many bytes of appended changes a file may carry, at
// least, before it is rewritten as one state.
const minJournal = 1 << 20

// OpenFileConfigs loads the connector configurations in path; a missing
// file is an empty store. A file that is not valid JSON of the expected
// shape, or has another version, is an error naming path. A file with
// appended changes is rewritten as one state.
func OpenFileConfigs(path string) (*FileConfigs, error) {
	f := &FileConfigs{path: path, mem: NewMemoryConfigs()}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read connector configs file %s: %w", path, err)
	}
	data, changes, torn, err := decodeConfigsFile(b)
	if err != nil {
		return nil, fmt.Errorf("read connector configs file %s: %w", path, err)
	}
	f.mem.data = data
	f.size, f.snapshot, f.torn = int64(len(b)), int64(len(b)), torn
	if !bytes.HasSuffix(b, []byte{'\n'}) {
		f.size = 0 // written by hand, say: the next change rewrites it rather than append to its last line
	}
	if changes > 0 || torn > 0 {
		if err := f.compact(data); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// DroppedBytes returns the length of the cut-short last line OpenFileConfigs
// found and dropped (a change a crash interrupted before it was
// acknowledged), 0 if none.
func (f *FileConfigs) DroppedBytes() int { return f.torn }

// decodeConfigsFile reads a configs file: the state, then the appended
// changes, of which it returns the count. A last line that does not decode
// is a change cut short by a crash: it is dropped and its length returned.
func decodeConfigsFile(b []byte) (map[string]ConnectorState, int, int, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, 0, 0, errors.New("not a connector configs file: the file is empty")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	// A misspelt field would otherwise be dropped silently, e.g. a target
	// state lost and the connector started.
	d.DisallowUnknownFields()
	var doc configsFile
	if err := d.Decode(&doc); err != nil {
		return nil, 0, 0, fmt.Errorf("not a connector configs file: %w", err)
	}
	if doc.Version != configsFileVersion {
		return nil, 0, 0, fmt.Errorf("unknown version %d (this sluice reads version %d)", doc.Version, configsFileVersion)
	}
	data := make(map[string]ConnectorState, len(doc.Connectors))
	for name, r := range doc.Connectors {
		if err := putRecord(data, name, r); err != nil {
			return nil, 0, 0, err
		}
	}
	rest := b[d.InputOffset():]
	// The state's line ends with it.
	line, rest, _ := bytes.Cut(rest, []byte{'\n'})
	if len(bytes.TrimSpace(line)) > 0 {
		return nil, 0, 0, errors.New("not a connector configs file: data after the JSON document on its last line")
	}
	changes := 0
	for n := 1; len(rest) > 0; n++ {
		line, rest, _ = bytes.Cut(rest, []byte{'\n'})
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		c, err := decodeChange(line)
		if err != nil {
			if len(bytes.TrimSpace(rest)) == 0 {
				return data, changes, len(line), nil
			}
			return nil, 0, 0, fmt.Errorf("appended change %d: %w", n, err)
		}
		if c.Deleted {
			delete(data, c.Name)
			changes++
			continue
		}
		st := data[c.Name]
		r := connectorRecord{Config: st.Config, TargetState: st.Target, Tasks: st.TaskConfigs}
		if c.Config != nil {
			r.Config = *c.Config
		}
		if c.TargetState != "" {
			r.TargetState = c.TargetState
		}
		if c.Tasks != nil {
			r.Tasks = *c.Tasks
		}
		if err := putRecord(data, c.Name, r); err != nil {
			return nil, 0, 0, fmt.Errorf("appended change %d: %w", n, err)
		}
		changes++
	}
	return data, changes, 0, nil
}

func decodeChange(line []byte) (changeRecord, error) {
	var c changeRecord
	d := json.NewDecoder(bytes.NewReader(line))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil {
		return c, err
	}
	if d.More() {
		return c, errors.New("data after the change")
	}
	changed := c.Config != nil || c.TargetState != "" || c.Tasks != nil
	switch {
	case c.Name == "":
		return c, errors.New("a change names no connector")
	case c.Deleted == changed:
		return c, fmt.Errorf("the change of connector %s must hold either what changed or \"deleted\": true", c.Name)
	}
	return c, nil
}

// putRecord checks a connector's stored state and puts it in data.
func putRecord(data map[string]ConnectorState, name string, r connectorRecord) error {
	if name == "" {
		return errors.New("a connector has an empty name")
	}
	switch r.TargetState {
	case herder.TargetStarted, herder.TargetPaused, herder.TargetStopped:
	case "":
		// As in Kafka Connect's config topic: no target state means STARTED.
		r.TargetState = herder.TargetStarted
	default:
		return fmt.Errorf("connector %s: unknown target state %q", name, r.TargetState)
	}
	s := ConnectorState{Config: r.Config, Target: r.TargetState}
	if len(r.Tasks) > 0 {
		s.TaskConfigs = r.Tasks
	}
	data[name] = s
	return nil
}

func record(s ConnectorState) *connectorRecord {
	tasks := s.TaskConfigs
	if tasks == nil {
		tasks = []map[string]string{}
	}
	return &connectorRecord{Config: s.Config, TargetState: s.Target, Tasks: tasks}
}

// persist returns the persist step of a change to connector name: append
// what changed to the file, or, when the file does not hold what this
// store wrote or the appended changes have grown past the state, rewrite
// the file as the new state.
func (f *FileConfigs) persist(name string, what change) func(map[string]ConnectorState) error {
	return func(data map[string]ConnectorState) error {
		s, ok := data[name]
		c := changeRecord{Name: name}
		switch {
		case what == deleted || !ok:
			c.Deleted = true
		case what == configChanged:
			cfg := s.Config
			if cfg == nil {
				cfg = map[string]string{}
			}
			c.Config, c.TargetState = &cfg, s.Target
		case what == targetChanged:
			c.TargetState = s.Target
		case what == tasksChanged:
			tasks := s.TaskConfigs
			if tasks == nil {
				tasks = []map[string]string{}
			}
			c.Tasks = &tasks
		}
		line, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("write connector configs file %s: %w", f.path, err)
		}
		line = append(line, '\n')
		if journal := f.size - f.snapshot + int64(len(line)); f.size == 0 || journal > max(f.snapshot, minJournal) {
			return f.compact(data)
		}
		return f.append(data, line)
	}
}

// append adds a line to the file and fsyncs it. A file that is not the one
// this store wrote (missing, replaced or changed by someone else) is
// rewritten as the whole state instead. A failed append is cut off again,
// so that the next one does not follow a torn line; if that fails too, the
// next change rewrites the file.
func (f *FileConfigs) append(data map[string]ConnectorState, line []byte) error {
	out, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return f.compact(data)
	}
	if err != nil {
		return fmt.Errorf("write connector configs file %s: %w", f.path, err)
	}
	defer out.Close()
	if st, err := out.Stat(); err != nil || st.Size() != f.size {
		return f.compact(data)
	}
	_, err = out.Write(line)
	if err == nil {
		err = out.Sync()
	}
	if err != nil {
		if terr := out.Truncate(f.size); terr != nil {
			f.size = 0 // unknown: the next change rewrites the file
		}
		return fmt.Errorf("write connector configs file %s: %w", f.path, err)
	}
	f.size += int64(len(line))
	return nil
}

// compact rewrites the file atomically as the state data. The state is
// written one connector at a time, so that a rewrite costs the memory of
// the largest connector, not of all of them; the bytes are
// json.MarshalIndent's of the whole document.
func (f *FileConfigs) compact(data map[string]ConnectorState) error {
	n, err := writeFileAtomic(f.path, func(w io.Writer) error { return writeState(w, data) })
	if err != nil {
		return fmt.Errorf("write connector configs file %s: %w", f.path, err)
	}
	f.size, f.snapshot = n, n
	return nil
}

// writeState writes data as json.MarshalIndent(configsFile, "", " ")
// followed by a newline would, connector by connector in name order.
func writeState(w io.Writer, data map[string]ConnectorState) error {
	if _, err := fmt.Fprintf(w, "{\n \"version\": %d,\n \"connectors\": {", configsFileVersion); err != nil {
		return err
	}
	for i, name := range slices.Sorted(maps.Keys(data)) {
		key, err := json.Marshal(name)
		if err != nil {
			return err
		}
		rec, err := json.MarshalIndent(record(data[name]), "  ", " ")
		if err != nil {
			return err
		}
		sep := ",\n  "
		if i == 0 {
			sep = "\n  "
		}
		for _, b := range [][]byte{[]byte(sep), key, []byte(": "), rec} {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
	}
	end := "}\n}\n"
	if len(data) > 0 {
		end = "\n }\n}\n"
	}
	_, err := io.WriteString(w, end)
	return err
}

// Connectors implements ConfigStore.
func (f *FileConfigs) Connectors() []string { return f.mem.Connectors() }

// Get implements ConfigStore.
func (f *FileConfigs) Get(name string) (ConnectorState, bool) { return f.mem.Get(name) }

// PutConfig implements ConfigStore; the change is on disk before it returns.
func (f *FileConfigs) PutConfig(name string, cfg map[string]string, target herder.TargetState) error {
	return f.mem.mutate(func(d map[string]ConnectorState) { putConfig(d, name, cfg, target) }, f.persist(name, configChanged))
}

// PutTargetState implements ConfigStore; the change is on disk before it
// returns.
func (f *FileConfigs) PutTargetState(name string, target herder.TargetState) error {
	return f.mem.mutate(func(d map[string]ConnectorState) { putTargetState(d, name, target) }, f.persist(name, targetChanged))
}

// PutTaskConfigs implements ConfigStore; the change is on disk before it
// returns.
func (f *FileConfigs) PutTaskConfigs(name string, tasks []map[string]string) error {
	return f.mem.mutate(func(d map[string]ConnectorState) { putTaskConfigs(d, name, tasks) }, f.persist(name, tasksChanged))
}

// Delete implements ConfigStore; the change is on disk before it returns.
func (f *FileConfigs) Delete(name string) error {
	return f.mem.mutate(func(d map[string]ConnectorState) { delete(d, name) }, f.persist(name, deleted))
}
