package schemas

import "testing"

// Kafka Connect ValuesTest.shouldParseStrings*: how the tokenizer splits.
func TestTokenizer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"  ", []string{"  "}},
		{"simple", []string{"simple"}},
		{"simple string", []string{"simple string"}},
		{"simple \n\t\bstring", []string{"simple \n\t\bstring"}},
		{"'simple' string", []string{"'simple' string"}},
		{`si\mple`, []string{`si\mple`}},
		{`si\\mple`, []string{`si\\mple`}},
		{`si\"mple`, []string{`si\"mple`}},
		{`si\{mple`, []string{`si\{mple`}},
		{`si\}mple`, []string{`si\}mple`}},
		{`si\]mple`, []string{`si\]mple`}},
		{`si\[mple`, []string{`si\[mple`}},
		{`si\:mple`, []string{`si\:mple`}},
		{`si\,mple`, []string{`si\,mple`}},
		{"a{b", []string{"a", "{", "b"}},
		{"a}b", []string{"a", "}", "b"}},
		{"a:b", []string{"a", ":", "b"}},
		{`a"b`, []string{"a", `"`, "b"}},
		{"{", []string{"{"}},
		{`"simple" string`, []string{`"`, "simple", `"`, " string"}},
		{"a{bc}d", []string{"a", "{", "bc", "}", "d"}},
		{"a { b c } d", []string{"a ", "{", " b c ", "}", " d"}},
	}
	for _, tt := range tests {
		p := &tokenizer{s: tt.in}
		for _, w := range tt.want {
			pos := p.mark()
			if !p.hasNext() {
				t.Fatalf("%q: ran out of tokens before %q", tt.in, w)
			}
			if got := p.next(); got != w {
				t.Errorf("%q: token %q, want %q", tt.in, got, w)
			}
			if p.position() != pos+len(w) || p.prev != w {
				t.Errorf("%q: position %d prev %q after %q", tt.in, p.position(), p.prev, w)
			}
			p.rewindTo(pos)
			if got := p.next(); got != w {
				t.Errorf("%q: after rewind token %q, want %q", tt.in, got, w)
			}
		}
		if p.hasNext() {
			t.Errorf("%q: tokens left over", tt.in)
		}
	}
}

// Kafka Connect ValuesTest.shouldConsumeMultipleTokens.
func TestTokenizerNextN(t *testing.T) {
	t.Parallel()
	p := &tokenizer{s: "a:b:c:d:e:f:g:h"}
	if got, ok := p.nextN(5); !ok || got != "a:b:c" {
		t.Errorf("nextN(5) = %q, %v", got, ok)
	}
	for _, w := range []string{":", "d", ":"} {
		if got := p.next(); got != w {
			t.Errorf("next = %q, want %q", got, w)
		}
	}
	if _, ok := p.nextN(8); ok {
		t.Error("nextN(8) with 7 left succeeded")
	}
	if got := p.next(); got != "e" {
		t.Errorf("next after failed nextN = %q, want e", got)
	}
}
