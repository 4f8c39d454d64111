package logging

import (
	"fmt"
	"log/slog"
	"math"
	"strings"
)

// The log4j levels that slog does not have. slog's LevelDebug, LevelInfo,
// LevelWarn and LevelError are log4j's DEBUG, INFO, WARN and ERROR.
const (
	// LevelAll is below every level: a logger at LevelAll logs everything.
	LevelAll slog.Level = math.MinInt32
	// LevelTrace is log4j's TRACE, finer than DEBUG.
	LevelTrace slog.Level = -8
	// LevelFatal is log4j's FATAL, for errors that stop the worker.
	LevelFatal slog.Level = 12
	// LevelOff is above every level: a logger at LevelOff logs nothing.
	LevelOff slog.Level = math.MaxInt32
)

// levelNames lists the named levels from the highest down, as LevelName
// searches them.
var levelNames = [...]struct {
	name  string
	level slog.Level
}{
	{"OFF", LevelOff},
	{"FATAL", LevelFatal},
	{"ERROR", slog.LevelError},
	{"WARN", slog.LevelWarn},
	{"INFO", slog.LevelInfo},
	{"DEBUG", slog.LevelDebug},
	{"TRACE", LevelTrace},
	{"ALL", LevelAll},
}

// ParseLevel returns the level named by a log4j level name: OFF, FATAL,
// ERROR, WARN, INFO, DEBUG, TRACE or ALL, in any case. Its error reads as
// Kafka Connect's answer to a PUT /admin/loggers/{name} with a bad level:
// "invalid log level 'X'.".
func ParseLevel(s string) (slog.Level, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	for _, n := range levelNames {
		if n.name == u {
			return n.level, nil
		}
	}
	return 0, fmt.Errorf("invalid log level '%s'.", s)
}

// LevelName returns the log4j name of l, upper-case. A level between two
// named ones is rounded down to the lower: slog level 2 is "INFO", -6 is
// "TRACE", and anything below TRACE is "ALL".
func LevelName(l slog.Level) string {
	for _, n := range levelNames {
		if l >= n.level {
			return n.name
		}
	}
	return "ALL" // below LevelAll, where int has 64 bits
}
