package logging

import (
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// RootName is the name of the root logger, the ancestor of every logger.
const RootName = "root"

// Levels is a registry of named loggers and their levels, with log4j's
// hierarchy by dots (see the package documentation). It is safe for
// concurrent use.
//
// Reading a level (Enabled, and Handler.Enabled for every log call) takes no
// lock and allocates nothing: the set of known loggers is an immutable map
// published through an atomic pointer and replaced, under a mutex, only when
// a logger is added; each logger's effective level is an atomic integer that
// Set recomputes.
type Levels struct {
	mu      sync.Mutex                         // serialises writers; guards the fields of every logger marked so
	loggers atomic.Pointer[map[string]*logger] // copy on write; loggers are never removed
	root    *logger
	now     func() time.Time // the clock for last-modified times; a field so tests can fix it
}

// logger is one known logger name.
type logger struct {
	name      string
	effective atomic.Int64 // the slog.Level it logs at: its own if explicit, else inherited

	// Guarded by Levels.mu.
	explicit     bool       // level was set through Set (root: always)
	level        slog.Level // meaningful when explicit
	lastModified *int64     // Unix ms of the last Set that changed it; nil if never
}

// NewLevels returns a registry holding only the root logger, at level root.
// The root's level counts as explicit but has no last-modified time until Set
// changes it.
func NewLevels(root slog.Level) *Levels {
	r := &logger{name: RootName, explicit: true, level: root}
	r.effective.Store(int64(root))
	ls := &Levels{root: r, now: time.Now}
	m := map[string]*logger{RootName: r}
	ls.loggers.Store(&m)
	return ls
}

// Enabled reports whether the logger called name logs records of level l.
// name need not be known: an unknown name has the level of its nearest known
// ancestor. It takes no lock and allocates nothing.
func (ls *Levels) Enabled(name string, l slog.Level) bool {
	return l >= ls.effective(name)
}

// effective returns the level name logs at, without locking.
func (ls *Levels) effective(name string) slog.Level {
	m := *ls.loggers.Load()
	for {
		if lg, ok := m[name]; ok {
			return slog.Level(lg.effective.Load())
		}
		i := strings.LastIndexByte(name, '.')
		if i < 0 {
			return slog.Level(ls.root.effective.Load())
		}
		name = name[:i]
	}
}

// Register makes name a known logger, so that Get finds it; until a Set
// covers it, it inherits its level. The empty name is the root. Registering a
// known name does nothing.
func (ls *Levels) Register(name string) {
	ls.lookup(name)
}

// lookup returns the logger called name, registering it if unknown.
func (ls *Levels) lookup(name string) *logger {
	if name == "" {
		name = RootName
	}
	if lg, ok := (*ls.loggers.Load())[name]; ok {
		return lg
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.lookupLocked(name)
}

// lookupLocked is lookup with ls.mu held.
func (ls *Levels) lookupLocked(name string) *logger {
	old := *ls.loggers.Load()
	if lg, ok := old[name]; ok {
		return lg
	}
	lg := &logger{name: name}
	lg.effective.Store(int64(ls.inherited(old, name)))
	m := make(map[string]*logger, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[name] = lg
	ls.loggers.Store(&m)
	return lg
}

// inherited returns the level of the nearest logger, name itself first, then
// its ancestors, that has one set explicitly. ls.mu must be held.
func (ls *Levels) inherited(m map[string]*logger, name string) slog.Level {
	for {
		if lg, ok := m[name]; ok && lg.explicit {
			return lg.level
		}
		i := strings.LastIndexByte(name, '.')
		if i < 0 {
			return ls.root.level
		}
		name = name[:i]
	}
}

// Set sets the level of the logger called namespace and of every known logger
// below it (whose name starts with namespace + "."), registering namespace if
// it is unknown, as PUT /admin/loggers/{namespace} does. Setting "root" (or
// "") sets the root and every known logger. The levels set stay explicit
// until the next Set that covers them; each affected logger's last-modified
// time becomes now. Set returns the names of the affected loggers, sorted.
//
// Kafka Connect matches descendants by the bare prefix, so that setting
// "org.apache.kafka.conn" would also set "org.apache.kafka.connect"; sluice
// requires the dot.
func (ls *Levels) Set(namespace string, level slog.Level) []string {
	if namespace == "" {
		namespace = RootName
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()

	var affected []*logger
	if namespace == RootName {
		for _, lg := range *ls.loggers.Load() {
			affected = append(affected, lg)
		}
	} else {
		affected = append(affected, ls.lookupLocked(namespace))
		prefix := namespace + "."
		for name, lg := range *ls.loggers.Load() {
			if strings.HasPrefix(name, prefix) {
				affected = append(affected, lg)
			}
		}
	}

	now := ls.now().UnixMilli()
	names := make([]string, len(affected))
	for i, lg := range affected {
		lg.explicit = true
		lg.level = level
		lg.lastModified = &now // shared, but never written through; Get copies it
		names[i] = lg.name
	}
	m := *ls.loggers.Load()
	for name, lg := range m {
		lg.effective.Store(int64(ls.inherited(m, name)))
	}
	sort.Strings(names)
	return names
}

// Get returns the level of a known logger, as GET /admin/loggers/{name}
// shows it: its effective level and the time Set last changed it. It reports
// false for a name no one has registered or set, which the REST API answers
// with 404 "Logger X not found.". The root may be named in any case.
func (ls *Levels) Get(name string) (LoggerLevel, bool) {
	if strings.EqualFold(name, RootName) {
		name = RootName
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	lg, ok := (*ls.loggers.Load())[name]
	if !ok {
		return LoggerLevel{}, false
	}
	return lg.loggerLevel(), true
}

// All returns every logger with an explicitly set level, and the root, as
// GET /admin/loggers shows them. Loggers that only inherit are left out.
func (ls *Levels) All() map[string]LoggerLevel {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	all := make(map[string]LoggerLevel)
	for name, lg := range *ls.loggers.Load() {
		if lg.explicit {
			all[name] = lg.loggerLevel()
		}
	}
	return all
}

// LoggerLevel is a logger's level as GET /admin/loggers shows it;
// LastModified is in Unix milliseconds, nil if never set through the API.
// runtime/herder names it herder.LoggerLevel in its REST entities.
type LoggerLevel struct {
	Level        string `json:"level"`
	LastModified *int64 `json:"last_modified"`
}

// loggerLevel renders lg for the REST API. ls.mu must be held.
func (lg *logger) loggerLevel() LoggerLevel {
	ll := LoggerLevel{Level: LevelName(slog.Level(lg.effective.Load()))}
	if lg.lastModified != nil {
		ms := *lg.lastModified
		ll.LastModified = &ms
	}
	return ll
}
