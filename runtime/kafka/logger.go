package kafka

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/IBM/sarama"
)

// SetLogger sends what sarama logs (broker connections, metadata
// refreshes, producer and consumer state changes, retries) to l at debug
// level. sarama has one package-level logger, so this is called once, by
// the command, before any client is made. Name l "sarama" so that its level
// can be changed at run time (PUT /admin/loggers/sarama).
func SetLogger(l *slog.Logger) {
	sarama.Logger = saramaLogger{l}
}

type saramaLogger struct{ l *slog.Logger }

func (s saramaLogger) enabled() bool { return s.l.Enabled(context.Background(), slog.LevelDebug) }

func (s saramaLogger) Print(v ...any) {
	if s.enabled() {
		s.l.Debug(strings.TrimSpace(fmt.Sprint(v...)))
	}
}

func (s saramaLogger) Printf(format string, v ...any) {
	if s.enabled() {
		s.l.Debug(strings.TrimSpace(fmt.Sprintf(format, v...)))
	}
}

func (s saramaLogger) Println(v ...any) {
	if s.enabled() {
		s.l.Debug(strings.TrimSpace(fmt.Sprintln(v...)))
	}
}
