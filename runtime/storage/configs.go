package storage

import (
	"maps"
	"sort"
	"sync"

	"github.com/sluicehq/sluice/runtime/herder"
)

// ConnectorState is what a config store holds about one connector: its
// configuration as submitted, its target state and its task configurations.
type ConnectorState struct {
	Config      map[string]string
	Target      herder.TargetState
	TaskConfigs []map[string]string
}

// ConfigStore keeps connector configurations, target states and task
// configurations. Implementations are safe for concurrent use.
type ConfigStore interface {
	// Connectors returns the connector names, sorted.
	Connectors() []string
	// Get returns a copy of a connector's state.
	Get(name string) (ConnectorState, bool)
	// PutConfig creates or replaces a connector's configuration; target is
	// kept for an existing connector when empty.
	PutConfig(name string, cfg map[string]string, target herder.TargetState) error
	// PutTargetState sets a connector's target state.
	PutTargetState(name string, target herder.TargetState) error
	// PutTaskConfigs replaces a connector's task configurations.
	PutTaskConfigs(name string, tasks []map[string]string) error
	// Delete removes a connector.
	Delete(name string) error
}

// MemoryConfigs is an in-memory ConfigStore.
type MemoryConfigs struct {
	mu   sync.RWMutex
	data map[string]ConnectorState
}

// NewMemoryConfigs returns an empty config store.
func NewMemoryConfigs() *MemoryConfigs {
	return &MemoryConfigs{data: map[string]ConnectorState{}}
}

// Connectors implements ConfigStore.
func (m *MemoryConfigs) Connectors() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	names := make([]string, 0, len(m.data))
	for n := range m.data {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get implements ConfigStore.
func (m *MemoryConfigs) Get(name string) (ConnectorState, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s, ok := m.data[name]
	if !ok {
		return ConnectorState{}, false
	}
	out := ConnectorState{Config: maps.Clone(s.Config), Target: s.Target}
	for _, t := range s.TaskConfigs {
		out.TaskConfigs = append(out.TaskConfigs, maps.Clone(t))
	}
	return out, true
}

// PutConfig implements ConfigStore.
func (m *MemoryConfigs) PutConfig(name string, cfg map[string]string, target herder.TargetState) error {
	return m.mutate(func(d map[string]ConnectorState) { putConfig(d, name, cfg, target) }, nil)
}

// PutTargetState implements ConfigStore.
func (m *MemoryConfigs) PutTargetState(name string, target herder.TargetState) error {
	return m.mutate(func(d map[string]ConnectorState) { putTargetState(d, name, target) }, nil)
}

// PutTaskConfigs implements ConfigStore.
func (m *MemoryConfigs) PutTaskConfigs(name string, tasks []map[string]string) error {
	return m.mutate(func(d map[string]ConnectorState) { putTaskConfigs(d, name, tasks) }, nil)
}

// Delete implements ConfigStore.
func (m *MemoryConfigs) Delete(name string) error {
	return m.mutate(func(d map[string]ConnectorState) { delete(d, name) }, nil)
}

// mutate applies change under the write lock. With persist, change works on
// a copy that becomes the store's state only once persist has accepted it,
// so a failed write changes nothing. The copy is shallow: the change
// functions below replace a connector's maps and slices, never edit them.
func (m *MemoryConfigs) mutate(change func(map[string]ConnectorState), persist func(map[string]ConnectorState) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if persist == nil {
		change(m.data)
		return nil
	}
	next := maps.Clone(m.data)
	change(next)
	if err := persist(next); err != nil {
		return err
	}
	m.data = next
	return nil
}

func putConfig(d map[string]ConnectorState, name string, cfg map[string]string, target herder.TargetState) {
	s, ok := d[name]
	if !ok && target == "" {
		target = herder.TargetStarted
	}
	if target != "" {
		s.Target = target
	}
	s.Config = maps.Clone(cfg)
	d[name] = s
}

func putTargetState(d map[string]ConnectorState, name string, target herder.TargetState) {
	s := d[name]
	s.Target = target
	d[name] = s
}

func putTaskConfigs(d map[string]ConnectorState, name string, tasks []map[string]string) {
	s := d[name]
	s.TaskConfigs = nil
	for _, t := range tasks {
		s.TaskConfigs = append(s.TaskConfigs, maps.Clone(t))
	}
	d[name] = s
}
