package transforms

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sluicehq/sluice/internal/testkit"
)

// FuzzJavaRegex translates and compiles arbitrary Java patterns: a pattern
// either compiles or is an error with a message (never a panic), a
// compiled pattern matches and expands replacements without panicking, a
// whole match is also a find, and literal text, plain or quoted with
// \Q...\E, matches itself.
func FuzzJavaRegex(f *testing.F) {
	for _, seed := range []struct{ pattern, input, repl string }{
		{`topic-(.*)`, "topic-a", `$1`},
		{`(?<env>prod|dev)\.(.+)`, "prod.x", `${env}-$2`},
		{`a{2}b{1,}c{1,3}?`, "aabcc", `x`},
		{`\u0041\u00e9\0101\0477\e\cA\x41\x{1f600}`, "AéA'7", `\$0`},
		{`[\p{Lower}\P{XDigit}_]\p{IsLatin}\p{gc=Lu}\pL`, "ab", `$0`},
		{`\Q.*[\E+[\Q]-^\E][]a][^]b]`, ".*[[", `$1`},
		{`(?id)a(?u)b(?-d:c)(?i-s:a)`, "abca", ``},
		{`foo(?=bar)(a)\1\k<x>a*+[a-z&&[^x]][a[b]](?x)`, "", `$9`},
		{`\Q`, "", `\`},
		{`\p{InGreek}\p{javaLowerCase}\p{`, "", `${`},
		{`a{99999999999999999999}`, "", `$`},
		{`((((((((((a))))))))))`, "a", `$10$11`},
		{`(?i)\u00DF`, "ss", `${x}`},
	} {
		f.Add(seed.pattern, seed.input, seed.repl)
	}
	f.Fuzz(func(t *testing.T, pattern, input, repl string) {
		defer testkit.HangGuard(t, 20*time.Second)()
		re, err := compileJavaRegex(pattern)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("compileJavaRegex(%q): an error without a message", pattern)
			}
			var unsupported *unsupportedRegexError
			if errors.As(err, &unsupported) && !strings.Contains(err.Error(), "is not supported") {
				t.Fatalf("compileJavaRegex(%q): %v", pattern, err)
			}
		} else {
			whole := re.matches(input)
			if whole && !re.find.MatchString(input) {
				t.Fatalf("%q matches all of %q but find does not", pattern, input)
			}
			if tmpl, err := javaReplacement(repl, re.find); err == nil {
				if m := re.find.FindStringSubmatchIndex(input); m != nil {
					re.find.ExpandString(nil, tmpl, input, m)
				}
			}
		}

		// Literal text matches itself.
		if input != "" && utf8.ValidString(input) && !strings.Contains(input, `\E`) {
			for _, p := range []string{`\Q` + input + `\E`, `\Q` + input} {
				lit, err := compileJavaRegex(p)
				if err != nil {
					t.Fatalf("quoted %q: %v", p, err)
				}
				if !lit.matches(input) || lit.matches(input+"x") {
					t.Fatalf("quoted %q does not match exactly %q", p, input)
				}
			}
			cls, err := compileJavaRegex(`[\Q` + input + `\E]+`)
			if err != nil {
				t.Fatalf("class of quoted %q: %v", input, err)
			}
			if !cls.matches(input) {
				t.Fatalf("class of quoted %q does not match it", input)
			}
		}
		if topicName.MatchString(input) {
			lit, err := compileJavaRegex(input)
			if err != nil || !lit.matches(input) {
				t.Fatalf("topic name %q as a pattern: %v", input, err)
			}
		}
	})
}

// topicName is Kafka's legal topic name, which as a Java pattern matches
// itself ('.' matches any character, including itself).
var topicName = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)
