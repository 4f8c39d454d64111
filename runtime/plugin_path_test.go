package runtime

import (
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestWorkerConfigPluginPath: plugin.path's directories are made absolute
// against the working directory (as Kafka Connect resolves them), blank
// entries dropped; plugin.discovery takes Kafka Connect's values and is
// ignored with an INFO saying why; another value is an error naming it.
func TestWorkerConfigPluginPath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		props map[string]string
		dirs  []string
		log   string // in the log; "" for nothing about plugins
		err   string
	}{
		{name: "unset", props: map[string]string{}},
		{name: "absolute and relative", props: map[string]string{PluginPath: " /opt/sluice/plugins , ,plugins,../x "},
			dirs: []string{"/opt/sluice/plugins", filepath.Join(wd, "plugins"), filepath.Join(filepath.Dir(wd), "x")}},
		{name: "discovery", props: map[string]string{PluginDiscovery: "ONLY_SCAN"},
			log: `level=INFO msg="plugin.discovery is ignored: sluice has no class scanning; each plugin.path executable describes its own plugins" plugin.discovery=ONLY_SCAN`},
		{name: "bad discovery", props: map[string]string{PluginDiscovery: "everywhere"}, err: "plugin.discovery"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter"}
			maps.Copy(props, tc.props)
			var log strings.Builder
			wc, err := ParseWorkerConfig(props, slog.New(slog.NewTextHandler(&log, nil)))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), tc.props[PluginDiscovery]) {
					t.Fatalf("err %v; want one naming %s and the value", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(wc.PluginPath, tc.dirs) {
				t.Errorf("PluginPath %q, want %q", wc.PluginPath, tc.dirs)
			}
			if tc.log != "" && !strings.Contains(log.String(), tc.log) {
				t.Errorf("the log does not say %s:\n%s", tc.log, log.String())
			}
			if tc.log == "" && strings.Contains(log.String(), "plugin") {
				t.Errorf("the log mentions plugins:\n%s", log.String())
			}
		})
	}
}
