package jaas

import (
	"maps"
	"strings"
	"testing"
)

func TestParseFile(t *testing.T) {
	tests := []struct {
		name, src string
		want      map[string][]Module
		err       string // a part of the error; "" for none
	}{
		{name: "Kafka Connect's example", src: `KafkaConnect {
  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required
  file="/opt/kafka/connect.password";
};`, want: map[string][]Module{"KafkaConnect": {{Class: "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule", Flag: "required",
			Options: map[string]string{"file": "/opt/kafka/connect.password"}}}}},
		{name: "comments, several entries and options, flag in any case", src: `// the worker
/* two
   lines */ KafkaConnect{a.B REQUIRED file="x" debug=true;};
KafkaClient { org.apache.kafka.common.security.plain.PlainLoginModule Optional username="u" password="p\"q\\r"; other.M sufficient; };
`, want: map[string][]Module{
			"KafkaConnect": {{Class: "a.B", Flag: "required", Options: map[string]string{"file": "x", "debug": "true"}}},
			"KafkaClient": {
				{Class: "org.apache.kafka.common.security.plain.PlainLoginModule", Flag: "optional", Options: map[string]string{"username": "u", "password": `p"q\r`}},
				{Class: "other.M", Flag: "sufficient", Options: map[string]string{}},
			}}},
		{name: "escapes in a quoted value", src: `E { m required f="a\tb\101\nc\qd"; };`,
			want: map[string][]Module{"E": {{Class: "m", Flag: "required", Options: map[string]string{"f": "a\tbA\nc" + "qd"}}}}},
		{name: "an entry without modules", src: "E { };", want: map[string][]Module{"E": {}}},
		{name: "empty file", src: "  // nothing\n", want: map[string][]Module{}},
		{name: "byte order mark", src: "\ufeffE { m required; };", want: map[string][]Module{"E": {{Class: "m", Flag: "required", Options: map[string]string{}}}}},
		{name: "windows path quoted", src: `E { m required file="C:\\kafka\\pw.properties"; };`,
			want: map[string][]Module{"E": {{Class: "m", Flag: "required", Options: map[string]string{"file": `C:\kafka\pw.properties`}}}}},

		{name: "missing semicolon after entry", src: "E { m required; }", err: "line 1: expected ';' after the closing '}' of the entry E, got the end of the file"},
		{name: "missing flag", src: "E { m file=\"x\"; };", err: "line 1: expected the control flag of m (required, requisite, sufficient or optional), got a word"},
		{name: "bad flag", src: "E {\n m mandatory; };", err: "line 2: expected the control flag of m"},
		{name: "missing module semicolon", src: "E { m required file=\"x\" };", err: "expected an option name or ';' ending the options of m, got '}'"},
		{name: "missing value", src: "E { m required file=; };", err: "expected the value of the option file, got ';'"},
		{name: "missing equals", src: "E { m required file \"x\"; };", err: "expected '=' after an option name of m, got a quoted string"},
		{name: "duplicate entry", src: "E { }; E { };", err: "line 1: the entry E is given twice"},
		{name: "unclosed string", src: "E { m required file=\"x;\n};", err: "line 1: quoted string is not closed on its line"},
		{name: "unclosed comment", src: "E { /* m required; };", err: "line 1: comment /* is not closed"},
		{name: "unquoted path", src: "E { m required file=/etc/pw; };", err: "unexpected character '/'"},
		{name: "hash comment is not JAAS", src: "# c\nE { };", err: "line 1: unexpected character '#'"},
		{name: "system property", src: `E { m required file="${user.home}/pw"; };`, err: "${…}, a Java system property"},
		{name: "entry name missing", src: "{ };", err: "expected an entry name, got '{'"},
		{name: "brace missing", src: "E m required; };", err: "expected '{' after the entry name E, got a word"},
		{name: "quoted empty entry name, not closed", src: `"" {`, err: "entry : line 1: expected a login module class name, got the end of the file"},
		{name: "not UTF-8", src: "E { m required f=\"\xff\"; };", err: "not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFile(tt.src)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("entries %v, want %v", got, tt.want)
			}
			for name, ms := range tt.want {
				g := got[name]
				if len(g) != len(ms) {
					t.Fatalf("entry %s: %v, want %v", name, g, ms)
				}
				for i := range ms {
					if g[i].Class != ms[i].Class || g[i].Flag != ms[i].Flag || !maps.Equal(g[i].Options, ms[i].Options) {
						t.Errorf("entry %s module %d: %+v, want %+v", name, i, g[i], ms[i])
					}
				}
			}
		})
	}
}

// A parse error never quotes a value: the value of a password option
// stays out of it.
func TestParseFileErrorsHideValues(t *testing.T) {
	for _, src := range []string{
		`E { m required password="s3cret" x };`,
		`E { m required password=s3cret x };`,
		`E { m required password="s3cret" "s3cret" };`,
		`E { m s3cret; };`,
	} {
		_, err := ParseFile(src)
		if err == nil {
			t.Fatalf("%s: no error", src)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error %q quotes the value", src, err)
		}
	}
}

func FuzzParseFile(f *testing.F) {
	for _, s := range []string{
		`KafkaConnect { org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required file="/p"; };`,
		"E { m required a=\"\\377\\0\\\"\" b=c; }; /* x */ // y\n F{};",
		"E { m required f=\"\\",
		"/*", "\"", "E{m required a=", "\ufeff", "E { m required a=\"\\7777\"; };",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got, err := ParseFile(src)
		if err != nil {
			return
		}
		for name, ms := range got {
			if name == "" && !strings.Contains(src, `""`) {
				t.Fatalf("empty entry name from %q", src)
			}
			for _, m := range ms {
				switch m.Flag {
				case "required", "requisite", "sufficient", "optional":
				default:
					t.Fatalf("flag %q from %q", m.Flag, src)
				}
			}
		}
	})
}
