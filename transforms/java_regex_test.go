package transforms

import (
	"strings"
	"testing"
)

func TestTranslateJavaRegex(t *testing.T) {
	tests := []struct {
		java, goSyntax string
	}{
		{`topic-(.*)`, `topic-(.*)`},
		{`(?<env>prod|dev)\.(.+)`, `(?<env>prod|dev)\.(.+)`},
		{`a{2}b{1,}c{1,3}?`, `a{2}b{1,}c{1,3}?`},
		{`\u0041\u00e9`, `\x{41}\x{E9}`},
		{`\0101\0477`, `\x{41}\x{27}7`},
		{`\e\cA`, `\x{1B}\x{1}`},
		{`\x41\x{1f600}`, `\x41\x{1f600}`},
		{`\p{Alpha}+\P{Digit}`, `[[:alpha:]]+[[:^digit:]]`},
		{`[\p{Lower}\P{XDigit}_]`, `[[:lower:][:^xdigit:]_]`},
		{`\p{IsLatin}\p{gc=Lu}\p{sc=Greek}\pL\p{Lu}`, `\p{Latin}\p{Lu}\p{Greek}\p{L}\p{Lu}`},
		{`\Q.*[\E+`, `\.\*\[+`},
		{`[\Q]-^\E]`, `[\]\-\^]`},
		{`\Q$1`, `\$1`},
		{`[]a][^]b]`, `[]a][^]b]`},
		{`[{}*+?]`, `[{}*+?]`},
		{`(?i)topic`, `(?i)topic`},
		{`(?id)a(?u)b(?-d:c)`, `(?i)ab(?:c)`},
		{`(?i-s:a)`, `(?i-s:a)`},
		{`\é\.\\`, `é\.\\`},
		{`a*?b+?c??`, `a*?b+?c??`},
	}
	for _, tt := range tests {
		got, err := translateJavaRegex(tt.java)
		if err != nil || got != tt.goSyntax {
			t.Errorf("translateJavaRegex(%q) = %q, %v; want %q", tt.java, got, err, tt.goSyntax)
		}
	}
}

func TestCompileJavaRegexRejects(t *testing.T) {
	tests := []struct {
		pattern, want string
	}{
		{`foo(?=bar)`, "lookahead (?= near index 3 is not supported: sluice runs regular expressions on Go's RE2 engine"},
		{`foo(?!bar)`, "negative lookahead (?! near index 3 is not supported"},
		{`(?<=a)b`, "lookbehind (?<= near index 0 is not supported"},
		{`(?<!a)b`, "negative lookbehind (?<! near index 0 is not supported"},
		{`(?>a+)b`, "atomic group (?> near index 0 is not supported"},
		{`(a)\1`, `backreference \1 near index 3 is not supported`},
		{`(a)\12`, `backreference \1 near index 3 is not supported`}, // Go would read \12 as octal
		{`(?<x>a)\k<x>`, `named backreference \k near index 7 is not supported`},
		{`a*+`, "possessive quantifier *+ near index 1 is not supported"},
		{`a++`, "possessive quantifier ++ near index 1 is not supported"},
		{`a?+`, "possessive quantifier ?+ near index 1 is not supported"},
		{`a{2,3}+`, "possessive quantifier {2,3}+ near index 1 is not supported"},
		{`[a-z&&[^x]]`, "character class intersection && near index 4 is not supported"},
		{`[a[b]]`, "nested character class or class union [ near index 2 is not supported"},
		{`[[:alpha:]]`, "nested character class or class union [ near index 1 is not supported"},
		{`(?x) a b`, "flag x (COMMENTS) near index 0 is not supported"},
		{`(?U)\w+`, "flag U (UNICODE_CHARACTER_CLASS) near index 0 is not supported"},
		{`\Gfoo`, `\G near index 0 is not supported`},
		{`foo\Z`, `\Z near index 3 is not supported`},
		{`a\vb`, `\v near index 1 is not supported`},
		{`\b{g}`, `\b{ near index 0 is not supported`},
		{`\p{InGreek}`, `\p{InGreek} near index 0 is not supported`},
		{`\p{javaLowerCase}`, `\p{javaLowerCase} near index 0 is not supported`},
		{`a{,3}`, "Illegal repetition near index 1"},
		{`{foo}`, "Illegal repetition near index 0"},
		{`\0`, "Illegal octal escape sequence near index 0"},
		{`\u12`, "Illegal Unicode escape sequence near index 0"},
		{`[`, "missing closing ]: `[`"},
		{`*`, "missing argument to repetition operator: `*`"},
		{`(a`, "missing closing ): `(a`"},
		{`a\`, "trailing backslash at end of expression: ``"},
		{`\y`, "invalid escape sequence: `\\y`"},
	}
	for _, tt := range tests {
		_, err := compileJavaRegex(tt.pattern)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("compileJavaRegex(%q) = %v; want an error starting %q", tt.pattern, err, tt.want)
		}
	}
}

func TestJavaRegexMatches(t *testing.T) {
	tests := []struct {
		pattern, input string
		want           bool
	}{
		{`my-prefix-.*`, "my-prefix-", true},
		{`my-prefix-.*`, "my-prefix-foo", true},
		{`my-prefix-.*`, "x-my-prefix-foo", false},
		{`foo`, "foobar", false}, // matches() needs the whole input
		{`foo|foobar`, "foobar", true},
		{`a|ab`, "ab", true},
		{`(?i)TOPIC`, "topic", true},
		{`\p{Alnum}+`, "abc123", true},
		{`\p{Alnum}+`, "abc-123", false},
		{`[\p{Lower}-]+`, "abc-def", true},
		{`\Q.*\E`, ".*", true},
		{`\Q.*\E`, "ab", false},
		{`\u0074opic`, "topic", true},
		{`$^`, "", true},
		{``, "", true},
		{``, "x", false},
	}
	for _, tt := range tests {
		re, err := compileJavaRegex(tt.pattern)
		if err != nil {
			t.Fatalf("compileJavaRegex(%q): %v", tt.pattern, err)
		}
		if got := re.matches(tt.input); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.pattern, tt.input, got, tt.want)
		}
	}
}

func TestJavaReplacement(t *testing.T) {
	tests := []struct {
		pattern, replacement string
		template, err        string
	}{
		{`(.*)`, `$1`, `${1}`, ""},
		{`(.*)`, `prefix-$1`, `prefix-${1}`, ""},
		{`(.*)`, `$1x`, `${1}x`, ""},
		{`(a)(b)`, `$12`, `${1}2`, ""}, // only two groups: group 1, then "2"
		{`(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)`, `$12$13`, `${12}${1}3`, ""},
		{`(?<env>\w+)`, `${env}-x`, `${1}-x`, ""},
		{`(.*)`, `\$1 \\ \a`, `$$1 \ a`, ""},
		{`(.*)`, `cost$$`, ``, "Illegal group reference"},
		{`(.*)`, `$0-€`, `${0}-€`, ""},
		{`(.*)`, `$`, ``, "Illegal group reference: group index is missing"},
		{`(.*)`, `$x`, ``, "Illegal group reference"},
		{`(.*)`, `$2`, ``, "No group 2"},
		{`.*`, `$1`, ``, "No group 1"},
		{`(.*)`, `${}`, ``, "named capturing group has 0 length name"},
		{`(?<a>.*)`, `${a`, ``, "named capturing group is missing trailing '}'"},
		{`(?<a>.*)`, `${a-b}`, ``, "named capturing group is missing trailing '}'"},
		{`(.*)`, `${1a}`, ``, "capturing group name {1a} starts with digit character"},
		{`(.*)`, `${nope}`, ``, "No group with name {nope}"},
		{`(.*)`, `x\`, ``, "character to be escaped is missing"},
	}
	for _, tt := range tests {
		re, err := compileJavaRegex(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		got, err := javaReplacement(tt.replacement, re.find)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("javaReplacement(%q) error = %v, want %q", tt.replacement, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.template {
			t.Errorf("javaReplacement(%q) = %q, %v; want %q", tt.replacement, got, err, tt.template)
		}
	}
}
