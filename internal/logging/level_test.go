package logging

import (
	"log/slog"
	"math"
	"testing"
)

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in      string
		want    slog.Level
		wantErr string
	}{
		{in: "OFF", want: LevelOff},
		{in: "FATAL", want: LevelFatal},
		{in: "ERROR", want: slog.LevelError},
		{in: "WARN", want: slog.LevelWarn},
		{in: "INFO", want: slog.LevelInfo},
		{in: "DEBUG", want: slog.LevelDebug},
		{in: "TRACE", want: LevelTrace},
		{in: "ALL", want: LevelAll},
		{in: "debug", want: slog.LevelDebug},
		{in: "Warn", want: slog.LevelWarn},
		{in: " info ", want: slog.LevelInfo},
		{in: "WARNING", wantErr: "invalid log level 'WARNING'."},
		{in: "", wantErr: "invalid log level ''."},
		{in: "4", wantErr: "invalid log level '4'."},
	}
	for _, tt := range tests {
		got, err := ParseLevel(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseLevel(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestLevelName(t *testing.T) {
	tests := []struct {
		in   slog.Level
		want string
	}{
		{LevelOff, "OFF"},
		{math.MaxInt32 - 1, "FATAL"},
		{12, "FATAL"},
		{11, "ERROR"},
		{8, "ERROR"},
		{4, "WARN"},
		{2, "INFO"},
		{0, "INFO"},
		{-1, "DEBUG"},
		{-4, "DEBUG"},
		{-6, "TRACE"},
		{-8, "TRACE"},
		{-9, "ALL"},
		{LevelAll, "ALL"},
	}
	for _, tt := range tests {
		if got := LevelName(tt.in); got != tt.want {
			t.Errorf("LevelName(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLevelNameRoundTrip(t *testing.T) {
	for _, name := range []string{"OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL"} {
		l, err := ParseLevel(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := LevelName(l); got != name {
			t.Errorf("LevelName(ParseLevel(%q)) = %q", name, got)
		}
	}
}
