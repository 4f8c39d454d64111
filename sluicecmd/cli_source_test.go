package sluicecmd

import (
	"strings"
	"testing"
)

// TestCLIBadURLNamesItsSource checks that a malformed worker URL is blamed
// on where it came from: --url when given, else SLUICE_URL.
func TestCLIBadURLNamesItsSource(t *testing.T) {
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"from the env", "localhost:8083", []string{"connectors", "list"}, `sluice connectors list: SLUICE_URL: invalid worker URL "localhost:8083"`},
		{"from the flag", "", []string{"connectors", "list", "--url", "localhost:8083"}, `sluice connectors list: --url: invalid worker URL "localhost:8083"`},
		{"flag overrides a good env", "http://127.0.0.1:1", []string{"connectors", "list", "--url", "localhost:8083"}, `sluice connectors list: --url: invalid worker URL`},
		{"flag overrides a bad env", "nope:1", []string{"connectors", "list", "--url", "ftp://x"}, `sluice connectors list: --url: invalid worker URL "ftp://x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SLUICE_URL", tc.env)
			code, out, errOut := cli(t, "", tc.args...)
			if code != 2 || out != "" || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, out, errOut, tc.want)
			}
		})
	}
}

// TestCLIOffsetsGetNone checks that a connector without offsets gets a
// sentence, not a bare table header, and JSON stays the worker's answer.
func TestCLIOffsetsGetNone(t *testing.T) {
	base, _ := fakeConnect(t, map[string]canned{
		"GET /connectors/fresh/offsets": {200, `{"offsets":[]}`},
	})
	code, out, errOut := cli(t, "", "offsets", "get", "fresh", "--url", base)
	if code != 0 || out != "Connector fresh has no offsets\n" || errOut != "" {
		t.Errorf("table: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = cli(t, "", "offsets", "get", "fresh", "--url", base, "-o", "json")
	if code != 0 || !strings.Contains(out, `"offsets": []`) || errOut != "" {
		t.Errorf("json: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
