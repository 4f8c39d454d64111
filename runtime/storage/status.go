package storage

import (
	"sort"
	"sync"

	"github.com/sluicehq/sluice/runtime/herder"
)

// StatusStore keeps the last reported state of connectors and tasks.
// Implementations are safe for concurrent use.
//
// A state put without a version (the herders' RESTARTING, STOPPED and
// UNASSIGNED) keeps the version of the status it replaces, so that a
// status says which version of the plugin ran last, as Kafka Connect's
// answers do; a FAILED one without a version (the plugin could not be
// loaded) has none.
type StatusStore interface {
	PutConnector(name string, s herder.ConnectorState)
	PutTask(id herder.TaskID, s herder.TaskState)
	Connector(name string) (herder.ConnectorState, bool)
	// Tasks returns the states of a connector's tasks, sorted by task id.
	Tasks(connector string) []herder.TaskState
	// Delete forgets a connector and its tasks.
	Delete(connector string)
	// DeleteTask forgets one task.
	DeleteTask(id herder.TaskID)
	// PutTopic records that task number task of a connector used a topic
	// (KIP-558).
	PutTopic(connector, topic string, task int)
	// Topics returns the topics a connector used, sorted.
	Topics(connector string) []string
	// DeleteTopics forgets a connector's topics.
	DeleteTopics(connector string)
}

// MemoryStatus is an in-memory StatusStore, as standalone Kafka Connect uses.
type MemoryStatus struct {
	mu         sync.RWMutex
	connectors map[string]herder.ConnectorState
	tasks      map[string]map[int]herder.TaskState
	topics     map[string]map[string]struct{}
}

// NewMemoryStatus returns an empty status store.
func NewMemoryStatus() *MemoryStatus {
	return &MemoryStatus{connectors: map[string]herder.ConnectorState{}, tasks: map[string]map[int]herder.TaskState{},
		topics: map[string]map[string]struct{}{}}
}

// PutConnector implements StatusStore.
func (m *MemoryStatus) PutConnector(name string, s herder.ConnectorState) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.Version = KeptVersion(s.State, s.Version, m.connectors[name].Version)
	m.connectors[name] = s
}

// PutTask implements StatusStore.
func (m *MemoryStatus) PutTask(id herder.TaskID, s herder.TaskState) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tasks[id.Connector]
	if t == nil {
		t = map[int]herder.TaskState{}
		m.tasks[id.Connector] = t
	}
	s.ID = id.Task
	s.Version = KeptVersion(s.State, s.Version, t[id.Task].Version)
	t[id.Task] = s
}

// Connector implements StatusStore.
func (m *MemoryStatus) Connector(name string) (herder.ConnectorState, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s, ok := m.connectors[name]
	return s, ok
}

// Tasks implements StatusStore.
func (m *MemoryStatus) Tasks(connector string) []herder.TaskState {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]herder.TaskState, 0, len(m.tasks[connector]))
	for _, s := range m.tasks[connector] {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Delete implements StatusStore.
func (m *MemoryStatus) Delete(connector string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.connectors, connector)
	delete(m.tasks, connector)
}

// DeleteTask implements StatusStore.
func (m *MemoryStatus) DeleteTask(id herder.TaskID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.tasks[id.Connector], id.Task)
}

// PutTopic implements StatusStore.
func (m *MemoryStatus) PutTopic(connector, topic string, _ int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.topics[connector]
	if t == nil {
		t = map[string]struct{}{}
		m.topics[connector] = t
	}
	t[topic] = struct{}{}
}

// Topics implements StatusStore.
func (m *MemoryStatus) Topics(connector string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.topics[connector]))
	for t := range m.topics[connector] {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// DeleteTopics implements StatusStore.
func (m *MemoryStatus) DeleteTopics(connector string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.topics, connector)
}

// KeptVersion returns the version a status of state put with version
// carries when it replaces one of version prev: its own, else prev, unless
// it is FAILED (see StatusStore).
func KeptVersion(state herder.State, version, prev herder.PluginVersion) herder.PluginVersion {
	if version != "" || state == herder.Failed {
		return version
	}
	return prev
}
