package kafka

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/IBM/sarama"
)

// SetLogger sends what sarama logs (broker connections, metadata
// refreshes, producer and consumer state changes, retries) to l at debug
// level. Name l "sarama" so that its level can be changed at run time (PUT
// /admin/loggers/sarama). sarama has one package-level logger, read by its
// goroutines at any time: it is set once, when this package is
// initialised, to a forwarder (which discards until SetLogger is called),
// and SetLogger only changes where the forwarder writes.
func SetLogger(l *slog.Logger) { saramaTarget.Store(l) }

var saramaTarget atomic.Pointer[slog.Logger]

func init() { sarama.Logger = saramaLogger{} }

type saramaLogger struct{}

func (saramaLogger) logger() *slog.Logger {
	l := saramaTarget.Load()
	if l == nil || !l.Enabled(context.Background(), slog.LevelDebug) {
		return nil
	}
	return l
}

func (s saramaLogger) Print(v ...any) {
	if l := s.logger(); l != nil {
		l.Debug(strings.TrimSpace(fmt.Sprint(v...)))
	}
}

func (s saramaLogger) Printf(format string, v ...any) {
	if l := s.logger(); l != nil {
		l.Debug(strings.TrimSpace(fmt.Sprintf(format, v...)))
	}
}

func (s saramaLogger) Println(v ...any) {
	if l := s.logger(); l != nil {
		l.Debug(strings.TrimSpace(fmt.Sprintln(v...)))
	}
}
