package jaas

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

func TestParseLine(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		module  string
		flag    string
		opts    map[string]string
		entries int
		err     string
	}{
		{name: "scram, quoted values", in: `org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cr=t;x";`,
			module: "org.apache.kafka.common.security.scram.ScramLoginModule", flag: "required", opts: map[string]string{"username": "alice", "password": "s3cr=t;x"}},
		{name: "unquoted word values, flag case-insensitive", in: "org.apache.kafka.common.security.plain.PlainLoginModule REQUIRED username=alice password=pw-1.x_$y;",
			module: "org.apache.kafka.common.security.plain.PlainLoginModule", flag: "required", opts: map[string]string{"username": "alice", "password": "pw-1.x_$y"}},
		{name: "single quotes, escapes and newlines between", in: "M optional\n  a='it\\'s'\n  b=\"tab\\there\\\\ \\101\\n\"\n;",
			module: "M", flag: "optional", opts: map[string]string{"a": "it's", "b": "tab\there\\ A\n"}},
		{name: "no options", in: "M sufficient;", module: "M", flag: "sufficient", opts: map[string]string{}},
		{name: "comments", in: "// a comment\nM /* inline */ requisite k=\"v\"; // trailing", module: "M", flag: "requisite", opts: map[string]string{"k": "v"}},
		{name: "config provider variable", in: `M required password="${file:/etc/s.properties:pw}";`, module: "M", flag: "required",
			opts: map[string]string{"password": "${file:/etc/s.properties:pw}"}},
		{name: "unicode value", in: `M required user="jöß 名前";`, module: "M", flag: "required", opts: map[string]string{"user": "jöß 名前"}},
		{name: "unterminated quote ends at the line end", in: "M required k=\"abc\n;", module: "M", flag: "required", opts: map[string]string{"k": "abc"}},
		{name: "two entries", in: "A required; B optional;", module: "A", flag: "required", opts: map[string]string{}, entries: 2},
		{name: "empty", in: "  ", err: "login module not specified"},
		{name: "only a comment", in: "// nothing", err: "login module not specified"},
		{name: "no flag", in: "M", err: "control flag not specified"},
		{name: "bad flag", in: "M mandatory k=v;", err: "invalid login module control flag"},
		{name: "no semicolon", in: `M required k="v"`, err: "not terminated by semi-colon"},
		{name: "no value", in: "M required k=;", err: "value not specified for key 'k'"},
		{name: "no equals", in: "M required k v;", err: "an option of M in JAAS config has no '='"},
		{name: "unquoted value with a space", in: "M required password=my secret;", err: "has no '='"},
		{name: "unquoted number", in: "M required port=9092;", err: "starts with a digit"},
		{name: "unquoted path", in: "M required keyTab=/etc/k.keytab;", err: "value not specified for key 'keyTab'"},
		{name: "stray character", in: "M required @=x;", err: "unexpected character in JAAS config options"},
		{name: "module is quoted", in: `"M" required;`, err: "does not start with a login module"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLine(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := max(tc.entries, 1)
			if len(got) != want {
				t.Fatalf("%d entries, want %d", len(got), want)
			}
			e := got[0]
			if e.Class != tc.module || e.Flag != tc.flag || !maps.Equal(e.Options, tc.opts) {
				t.Fatalf("got %+v, want module %s flag %s options %v", e, tc.module, tc.flag, tc.opts)
			}
		})
	}
}

// An error never quotes the line's values: they are secrets.
func TestParseLineErrorsHideValues(t *testing.T) {
	for _, in := range []string{
		`M required password="hunter2" 7;`,
		`M required password="hunter2" user`,
		`M required password="hunter2" user=;`,
		`M required password="hunter2" x=1hunter2;`,
		`M required password=hunter2@hunter2;`,
		`M required password=my hunter2;`,
	} {
		_, err := ParseLine(in)
		if err == nil {
			t.Fatalf("%s: no error", in)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("%s: the error quotes a value: %v", in, err)
		}
	}
}

// Hostile input never panics, ends quickly, and what parses holds a
// module, a flag and only options that came from the input.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		`org.apache.kafka.common.security.scram.ScramLoginModule required username="a" password="b";`,
		"M required k='v\\'' /* c */ k2=w;", "M", "M required k=\"\\777\\", "-", "-1.2.3", "/", "/*", "\"", "M required k=-x;",
		"M required k=\xff;", "A required; B optional k=v;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		defer testkit.HangGuard(t, 5*time.Second)()
		entries, err := ParseLine(s)
		if err != nil {
			return
		}
		if len(entries) == 0 {
			t.Fatal("no entries and no error")
		}
		for _, e := range entries {
			if e.Class == "" || e.Flag == "" || e.Options == nil {
				t.Fatalf("incomplete entry %+v", e)
			}
		}
	})
}
